import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { AppConfig } from '../../config/app-config.js';
import { EventBus } from '../../common/events/event-bus.js';
import { ConnectRateLimiter } from '../../infra/mqtt/connect-rate-limiter.js';
import { MqttListeners } from '../../infra/mqtt/mqtt-listeners.js';
import { DeviceSyncService } from './device-sync.service.js';
import { MqttGatekeeper } from './mqtt-gatekeeper.js';
import { MqttSessions } from './mqtt-sessions.js';
import { mayReceive, maySubscribe, parsePoke, userTopic, type MqttIdentity } from './mqtt-topics.js';

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    /** A device subscribed to one of its topics: it wants to know the current seq. */
    'mqtt.subscribed': MqttIdentity;
  }
}

/** The QoS a client's subscription to `topic` was granted (Aedes keeps it on the client). */
function subscribedQos(client: Client, topic: string): number {
  const subs = (client as unknown as { subscriptions?: Record<string, { qos?: number }> }).subscriptions;
  return subs?.[topic]?.qos ?? 0;
}

/**
 * The embedded Aedes broker, over the transport in infra/mqtt (TCP, and WebSocket at /mqtt).
 * A device connects with clientId = its device id and password = an access token of that
 * device (MqttGatekeeper decides); it may only subscribe to its own topics and never publish.
 * Clean sessions only: Aedes 1.x persistent sessions queue without bound and keep even
 * denied subscriptions.
 */
@Injectable()
export class MqttBrokerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MqttBroker');
  private broker: Aedes | undefined;
  private readonly listeners: MqttListeners;
  private readonly sessions = new MqttSessions();
  /** The keepalive each connecting client asked for (seen in preConnect, checked in authenticate). */
  private readonly keepalives = new WeakMap<Client, number>();
  private readonly peerIp = new WeakMap<Duplex, string>();
  private readonly limiter: ConnectRateLimiter;

  constructor(
    private readonly config: AppConfig,
    private readonly gatekeeper: MqttGatekeeper,
    private readonly sync: DeviceSyncService,
    private readonly events: EventBus,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.limiter = new ConnectRateLimiter(config.mqtt.connectsPerIpPerMinute);
    this.listeners = new MqttListeners(
      { maxPacketBytes: config.mqtt.maxPacketBytes, trustProxy: config.http.trustProxy },
      (conn, ip, req) => this.handle(conn, ip, req),
    );
    events.on('device.revoked', ({ deviceId }) => this.kick(deviceId, 'device revoked'));
    events.on('user.disabled', ({ userId }) => {
      for (const deviceId of this.sessions.devicesOf(userId)) this.kick(deviceId, 'account disabled');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const m = this.config.mqtt;
    const broker = await Aedes.createBroker({
      connectTimeout: m.connectTimeoutMs,
      // No keepaliveLimit: Aedes refuses with CONNACK 6, which MQTT 3.1.1 does not define.
      // The limit is checked in authenticate, which answers with a valid code.
      drainTimeout: m.drainTimeoutMs,
      maxTopicLevels: 8,
      maxClientsIdLength: 64,
      preConnect: (client, packet, cb) => {
        packet.clean = true;
        this.keepalives.set(client, packet.keepalive ?? 0);
        if (broker.connectedClients >= m.maxConnections) return cb(null, false);
        if (!this.limiter.take(this.peerIp.get(client.conn) ?? 'unknown')) return cb(null, false);
        cb(null, true);
      },
      authenticate: (client, _username, password, done) => void this.authenticate(client, password, done),
      authorizeSubscribe: (client, sub, cb) => {
        const who = this.sessions.of(client);
        if (!who || !maySubscribe(who, sub.topic)) {
          this.logger.debug({ deviceId: client.id, topic: sub.topic }, 'subscription refused');
          return cb(null, null);
        }
        cb(null, { ...sub, qos: sub.qos > 1 ? 1 : sub.qos });
      },
      // Devices never publish: anything they need goes through REST, acks travel as PUBACKs.
      authorizePublish: (client, _packet, cb) => cb(client ? new Error('devices do not publish') : null),
      authorizeForward: (client, packet) => {
        const who = this.sessions.of(client);
        if (!who || !mayReceive(who, packet.topic)) return null;
        const poke = parsePoke(packet.payload);
        if (poke && packet.topic === userTopic(who.userId)) this.sync.poked(who.userId, who.deviceId, poke.seq);
        if (packet.qos > 0 && subscribedQos(client, packet.topic) > 0) who.inflight.forwarded(poke?.seq ?? null);
        return packet;
      },
    });
    this.broker = broker;

    broker.on('clientReady', (client) => {
      const who = this.sessions.of(client);
      if (!who) return client.close();
      this.sessions.ready(client, who);
      this.sync.connected(who.userId, who.deviceId);
    });
    broker.on('clientDisconnect', (client) => {
      const gone = this.sessions.forget(client);
      if (gone) this.sync.disconnected(gone.userId, gone.deviceId);
    });
    broker.on('ack', (_packet, client) => {
      const who = client && this.sessions.of(client);
      const seq = who?.inflight.acked();
      if (who && typeof seq === 'number') this.sync.acked(who.userId, who.deviceId, seq);
    });
    broker.on('subscribe', (_subs, client) => {
      const who = this.sessions.of(client);
      if (who) this.events.emit('mqtt.subscribed', { userId: who.userId, deviceId: who.deviceId });
    });
    broker.on('clientError', (client, err) => this.logger.debug({ deviceId: client.id, err: err.message }, 'client error'));
    broker.on('connectionError', (client, err) => this.logger.debug({ err: err.message }, 'connection error'));

    if (m.tcp) {
      await this.listeners.listenTcp(m.tcp.host, m.tcp.port);
      this.logger.log({ ...this.tcpAddress() }, 'MQTT over TCP is listening');
    }
    if (m.webSocket) this.listeners.attachWebSocket(this.adapterHost.httpAdapter.getHttpServer() as HttpServer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.listeners.stopAccepting();
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await this.listeners.close();
  }

  /** Where MQTT over TCP listens (null when off). */
  tcpAddress(): { host: string; port: number } | null {
    return this.listeners.tcpAddress();
  }

  /** Publishes at QoS 1 (not retained). */
  publish(topic: string, payload: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.broker || this.broker.closed) return resolve();
      this.broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  isConnected(deviceId: string): boolean {
    return this.sessions.clientOf(deviceId) !== undefined;
  }

  private async authenticate(
    client: Client,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): Promise<void> {
    try {
      const admitted = await this.gatekeeper.admit({
        clientId: client.id,
        keepaliveSeconds: this.keepalives.get(client) ?? 0,
        password,
        otherDevicesConnected: (who) => this.sessions.otherDevicesConnected(who),
      });
      // The connection ends when its token does: the device reconnects with a fresh one.
      this.sessions.open(client, { userId: admitted.userId, deviceId: admitted.deviceId }, admitted.expiresAt);
      done(null, true);
    } catch (err) {
      done(err as AuthenticateError, false);
    }
  }

  private kick(deviceId: string, why: string): void {
    const client = this.sessions.clientOf(deviceId);
    if (!client) return;
    this.logger.log({ deviceId, why }, 'closing MQTT connection');
    client.close();
  }

  private handle(conn: Duplex, ip: string, req?: IncomingMessage): void {
    this.peerIp.set(conn, ip);
    this.broker!.handle(conn, req);
  }
}
