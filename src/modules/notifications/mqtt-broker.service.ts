import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { AppConfig } from '../../config/app-config.js';
import { EventBus } from '../../common/events/event-bus.js';
import { StartupError } from '../../infra/process/startup-error.js';
import { SessionValidator } from '../auth/session-validator.js';
import { TokenService } from '../auth/token.service.js';
import { ConnectRateLimiter } from './connect-rate-limiter.js';
import { DeviceSyncService } from './device-sync.service.js';
import { guardedConnection } from './mqtt-frame-guard.js';
import { mayReceive, maySubscribe, parsePoke, userTopic, type MqttIdentity } from './mqtt-topics.js';

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    /** A device subscribed to one of its topics: it wants to know the current seq. */
    'mqtt.subscribed': MqttIdentity;
  }
}

// MQTT CONNACK return codes (3.1.1).
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** The QoS a client's subscription to `topic` was granted (Aedes keeps it on the client). */
function subscribedQos(client: Client, topic: string): number {
  const subs = (client as unknown as { subscriptions?: Record<string, { qos?: number }> }).subscriptions;
  return subs?.[topic]?.qos ?? 0;
}

function authError(returnCode: number, message: string): AuthenticateError {
  return Object.assign<Error, { returnCode: number }>(new Error(message), { returnCode });
}

interface Session extends MqttIdentity {
  expiry: NodeJS.Timeout;
  /**
   * Seqs of the QoS 1 pokes forwarded and not yet acknowledged, oldest first. Aedes does not
   * keep outgoing packets of clean sessions, so its `ack` event carries no packet; MQTT
   * requires PUBACKs in the order the PUBLISHes arrived, so the oldest entry is the one acked.
   */
  inflight: (number | null)[];
}

const MAX_TRACKED_INFLIGHT = 64;

/**
 * The embedded Aedes broker: MQTT over TCP and over WebSocket at /mqtt. A device connects
 * with clientId = its device id and password = an access token of that device; it may only
 * subscribe to its own topics and never publish. Clean sessions only: Aedes 1.x persistent
 * sessions queue without bound and keep even denied subscriptions.
 */
@Injectable()
export class MqttBrokerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MqttBroker');
  private broker: Aedes | undefined;
  private tcp: TcpServer | undefined;
  private wss: WebSocketServer | undefined;
  private httpServer: HttpServer | undefined;
  private readonly sessions = new WeakMap<Client, Session>();
  /** The keepalive each connecting client asked for (seen in preConnect, checked in authenticate). */
  private readonly keepalives = new WeakMap<Client, number>();
  private readonly byDevice = new Map<string, Client>();
  /** The devices of each user with a ready connection here (for MQTT_MAX_CONNECTIONS_PER_USER). */
  private readonly devicesOfUser = new Map<string, Set<string>>();
  private readonly peerIp = new WeakMap<Duplex, string>();
  private readonly limiter: ConnectRateLimiter;

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly validator: SessionValidator,
    private readonly sync: DeviceSyncService,
    private readonly events: EventBus,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.limiter = new ConnectRateLimiter(config.mqtt.connectsPerIpPerMinute);
    events.on('device.revoked', ({ deviceId }) => this.kick(deviceId, 'device revoked'));
    events.on('user.disabled', ({ userId }) => {
      for (const deviceId of [...(this.devicesOfUser.get(userId) ?? [])]) this.kick(deviceId, 'account disabled');
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
        const who = this.sessions.get(client);
        if (!who || !maySubscribe(who, sub.topic)) {
          this.logger.debug({ deviceId: client.id, topic: sub.topic }, 'subscription refused');
          return cb(null, null);
        }
        cb(null, { ...sub, qos: sub.qos > 1 ? 1 : sub.qos });
      },
      // Devices never publish: anything they need goes through REST, acks travel as PUBACKs.
      authorizePublish: (client, _packet, cb) => cb(client ? new Error('devices do not publish') : null),
      authorizeForward: (client, packet) => {
        const who = this.sessions.get(client);
        if (!who || !mayReceive(who, packet.topic)) return null;
        const poke = parsePoke(packet.payload);
        if (poke && packet.topic === userTopic(who.userId)) this.sync.poked(who.userId, who.deviceId, poke.seq);
        if (packet.qos > 0 && subscribedQos(client, packet.topic) > 0) {
          who.inflight.push(poke?.seq ?? null);
          if (who.inflight.length > MAX_TRACKED_INFLIGHT) who.inflight.shift();
        }
        return packet;
      },
    });
    this.broker = broker;

    broker.on('clientReady', (client) => {
      const who = this.sessions.get(client);
      if (!who) return client.close();
      this.byDevice.get(who.deviceId)?.close(); // a newer connection of the same device wins
      this.byDevice.set(who.deviceId, client);
      let devices = this.devicesOfUser.get(who.userId);
      if (!devices) this.devicesOfUser.set(who.userId, (devices = new Set()));
      devices.add(who.deviceId);
      this.sync.connected(who.userId, who.deviceId);
    });
    broker.on('clientDisconnect', (client) => this.forget(client));
    broker.on('ack', (_packet, client) => {
      const who = client && this.sessions.get(client);
      const seq = who?.inflight.shift();
      if (who && typeof seq === 'number') this.sync.acked(who.userId, who.deviceId, seq);
    });
    broker.on('subscribe', (_subs, client) => {
      const who = this.sessions.get(client);
      if (who) this.events.emit('mqtt.subscribed', { userId: who.userId, deviceId: who.deviceId });
    });
    broker.on('clientError', (client, err) => this.logger.debug({ deviceId: client.id, err: err.message }, 'client error'));
    broker.on('connectionError', (client, err) => this.logger.debug({ err: err.message }, 'connection error'));

    if (m.tcp) await this.listenTcp(m.tcp.host, m.tcp.port);
    if (m.webSocket) this.attachWebSocket();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.httpServer?.removeListener('upgrade', this.onUpgrade);
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    this.wss?.close();
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  /** Where MQTT over TCP listens (null when off). */
  tcpAddress(): { host: string; port: number } | null {
    const a = this.tcp?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : null;
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
    return this.byDevice.has(deviceId);
  }

  private async authenticate(
    client: Client,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): Promise<void> {
    const keepalive = this.keepalives.get(client) ?? 0;
    if (keepalive === 0 || keepalive > this.config.mqtt.keepaliveLimitSeconds) {
      return done(authError(NOT_AUTHORIZED, `keepalive must be 1-${this.config.mqtt.keepaliveLimitSeconds} s`), false);
    }
    const token = password?.toString('utf8');
    if (!token) return done(authError(BAD_USERNAME_OR_PASSWORD, 'the password is the access token'), false);
    let claims;
    try {
      claims = this.tokens.verifyAccess(token);
    } catch {
      return done(authError(BAD_USERNAME_OR_PASSWORD, 'invalid or expired access token'), false);
    }
    if (claims.did !== client.id) return done(authError(IDENTIFIER_REJECTED, 'clientId must be the token’s device id'), false);
    try {
      const auth = await this.validator.validate(claims);
      // Another connection of the same device replaces the old one, so it does not count.
      const others = this.devicesOfUser.get(auth.userId);
      const connected = (others?.size ?? 0) - (others?.has(auth.deviceId) ? 1 : 0);
      if (connected >= this.config.mqtt.maxConnectionsPerUser) {
        this.logger.warn({ userId: auth.userId, deviceId: auth.deviceId, connected }, 'MQTT connection refused: per-user limit');
        return done(authError(SERVER_UNAVAILABLE, `this account already has ${connected} MQTT connections`), false);
      }
      // The connection ends when its token does: the device reconnects with a fresh one.
      const expiry = setTimeout(() => client.close(), Math.max(0, claims.exp * 1000 - Date.now()));
      expiry.unref();
      this.sessions.set(client, { userId: auth.userId, deviceId: auth.deviceId, expiry, inflight: [] });
      done(null, true);
    } catch {
      done(authError(NOT_AUTHORIZED, 'device revoked or account disabled'), false);
    }
  }

  private forget(client: Client): void {
    const who = this.sessions.get(client);
    if (!who) return;
    clearTimeout(who.expiry);
    this.sessions.delete(client);
    if (this.byDevice.get(who.deviceId) === client) {
      this.byDevice.delete(who.deviceId);
      const devices = this.devicesOfUser.get(who.userId);
      devices?.delete(who.deviceId);
      if (devices?.size === 0) this.devicesOfUser.delete(who.userId);
      this.sync.disconnected(who.userId, who.deviceId);
    }
  }

  private kick(deviceId: string, why: string): void {
    const client = this.byDevice.get(deviceId);
    if (!client) return;
    this.logger.log({ deviceId, why }, 'closing MQTT connection');
    client.close();
  }

  private handle(conn: Duplex, ip: string, req?: IncomingMessage): void {
    const guarded = guardedConnection(conn, this.config.mqtt.maxPacketBytes);
    this.peerIp.set(guarded, ip);
    this.broker!.handle(guarded, req);
  }

  private async listenTcp(host: string, port: number): Promise<void> {
    const server = createServer((socket: Socket) => this.handle(socket, socket.remoteAddress ?? 'unknown'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new StartupError(`MQTT_TCP_PORT ${port} is in use: choose another port, or MQTT_TCP_ENABLED=false.`)
            : err,
        ),
      );
      server.listen(port, host, () => resolve());
    });
    this.tcp = server;
    this.logger.log({ ...this.tcpAddress() }, 'MQTT over TCP is listening');
  }

  private attachWebSocket(): void {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.config.mqtt.maxPacketBytes + 64 });
    this.httpServer = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    this.httpServer.on('upgrade', this.onUpgrade);
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mqtt' || !this.wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const forwarded = this.config.http.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
    const ip = forwarded || req.socket.remoteAddress || 'unknown';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.handle(createWebSocketStream(ws), ip, req));
  };
}
