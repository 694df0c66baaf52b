import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import { backoffMs } from './async.js';

export interface PokeOptions {
  /** mqtt://host:port (TCP) or ws://host:port/mqtt (WebSocket). */
  url: string;
  deviceId: string;
  userId: string;
  /** A current access token; called before every (re)connect, so expired tokens are refreshed. */
  token: () => Promise<string>;
  /** Reconnect backoff (default 500 ms doubling to 30 s, with jitter). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface PokeEvents {
  /** The journal head moved (a poke, or the current seq sent right after subscribing). */
  poke: [seq: number];
  /** A device-directed notice, e.g. {type: 'conflict', ...}. */
  notice: [message: Record<string, unknown>];
  connected: [];
  disconnected: [reason: string];
}

/**
 * The MQTT side of "poke, then fetch": subscribes to the user's poke topic and the device's own
 * topic, and tells the sync loop when to read the delta. The broker closes the connection when
 * the access token expires, so every reconnect asks for a fresh token; reconnects back off
 * exponentially with jitter. Lost pokes are covered by the sync loop's periodic delta read.
 */
export class PokeSubscriber extends EventEmitter<PokeEvents> {
  private client: MqttClient | null = null;
  private stopped = true;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  connects = 0;

  constructor(private readonly opts: PokeOptions) {
    super();
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true).catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    try {
      token = await this.opts.token();
    } catch (err) {
      this.retryLater(`no token: ${(err as Error).message}`);
      return;
    }
    if (this.stopped) return;
    const client = mqtt.connect(this.opts.url, {
      clientId: this.opts.deviceId,
      username: 'device',
      password: token,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 60,
      protocolVersion: 4,
    });
    this.client = client;
    let settled = false;
    client.on('connect', () => {
      settled = true;
      this.attempt = 0;
      this.connects++;
      const { userId, deviceId } = this.opts;
      client.subscribe({ [`sync/v1/u/${userId}`]: { qos: 1 }, [`sync/v1/d/${deviceId}`]: { qos: 1 } }, (err) => {
        if (err) client.end(true);
      });
      this.emit('connected');
    });
    client.on('message', (_topic, payload) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof msg.type === 'string' && msg.type !== 'sync') this.emit('notice', msg);
      else if (typeof msg.seq === 'number') this.emit('poke', msg.seq);
    });
    client.on('error', () => {
      // 'close' follows; the reason is reported there.
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      this.retryLater(settled ? 'connection closed' : 'connect failed');
    });
  }

  private retryLater(reason: string): void {
    this.emit('disconnected', reason);
    if (this.stopped) return;
    const wait = backoffMs(this.attempt++, this.opts.minBackoffMs ?? 500, this.opts.maxBackoffMs ?? 30_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, wait);
  }
}
