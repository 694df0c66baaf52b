import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { EventBus } from '../../common/events/event-bus.js';
import { NEVER_SYNCED, type DeviceSyncStatus } from './device-sync-status.js';
import { DeviceSyncRepository } from './device-sync.repository.js';

const FLUSH_EVERY_MS = 1000;

interface Tracked extends DeviceSyncStatus {
  userId: string;
}

/**
 * Per device: last seq poked, last seq acknowledged (PUBACK), last cursor it read the delta
 * from, connected or not. Kept in memory where it changes (every PUBACK) and written to
 * `device_sync` once a second, so acks cost no database round trip.
 */
@Injectable()
export class DeviceSyncService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceSyncService.name);
  private readonly live = new Map<string, Tracked>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly stored: DeviceSyncRepository,
    events: EventBus,
    private readonly clock: Clock,
  ) {
    events.on('delta.read', (e) => this.fetched(e.userId, e.deviceId, e.fromSeq));
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    for (const t of this.live.values()) t.connected = false;
    for (const id of this.live.keys()) this.dirty.add(id);
    await this.flush();
  }

  connected(userId: string, deviceId: string): void {
    this.update(userId, deviceId, (t) => {
      t.connected = true;
      t.lastMqttSeenAt = this.clock.now();
    });
  }

  disconnected(userId: string, deviceId: string): void {
    this.update(userId, deviceId, (t) => {
      t.connected = false;
      t.lastMqttSeenAt = this.clock.now();
    });
  }

  poked(userId: string, deviceId: string, seq: number): void {
    this.update(userId, deviceId, (t) => (t.lastPokedSeq = Math.max(t.lastPokedSeq, seq)));
  }

  acked(userId: string, deviceId: string, seq: number): void {
    this.update(userId, deviceId, (t) => {
      t.lastAckedSeq = Math.max(t.lastAckedSeq, seq);
      t.lastMqttSeenAt = this.clock.now();
    });
  }

  fetched(userId: string, deviceId: string, seq: number): void {
    this.update(userId, deviceId, (t) => (t.lastFetchedSeq = Math.max(t.lastFetchedSeq, seq)));
  }

  /** As this process sees it (a device connected to another process reads as not connected). */
  current(deviceId: string): DeviceSyncStatus | undefined {
    return this.live.get(deviceId);
  }

  /** Every tracked device of the user, what this process holds merged over what is stored. */
  async statusOf(userId: string): Promise<Map<string, DeviceSyncStatus>> {
    const out = await this.stored.ofUser(userId);
    for (const [id, t] of this.live) {
      if (t.userId !== userId) continue;
      const stored = out.get(id);
      out.set(id, {
        connected: t.connected,
        lastPokedSeq: Math.max(t.lastPokedSeq, stored?.lastPokedSeq ?? 0),
        lastAckedSeq: Math.max(t.lastAckedSeq, stored?.lastAckedSeq ?? 0),
        lastFetchedSeq: Math.max(t.lastFetchedSeq, stored?.lastFetchedSeq ?? 0),
        lastMqttSeenAt: t.lastMqttSeenAt ?? stored?.lastMqttSeenAt ?? null,
      });
    }
    return out;
  }

  /** Writes what changed since the last flush (one at a time; concurrent calls queue). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow()).catch((err: unknown) => this.logger.warn({ err }, 'device sync flush failed'));
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const t = this.live.get(id);
      if (!t) continue;
      await this.stored.save(id, t.userId, t);
      // Forget disconnected devices once written: memory follows connections, not history.
      if (!t.connected && !this.dirty.has(id)) this.live.delete(id);
    }
  }

  private update(userId: string, deviceId: string, fn: (t: Tracked) => void): void {
    let t = this.live.get(deviceId);
    if (!t) {
      t = { ...NEVER_SYNCED, userId };
      this.live.set(deviceId, t);
    }
    fn(t);
    this.dirty.add(deviceId);
  }
}
