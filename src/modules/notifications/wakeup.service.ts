import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { EventBus } from '../../common/events/event-bus.js';
import { DevicesService } from '../auth/devices.service.js';
import { DeviceSyncService } from './device-sync.service.js';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { PUSH_SENDER, type PushSender } from './push/push-sender.js';

const MAX_ATTEMPTS = 5;

/**
 * Wakes a sleeping phone through FCM. After a poke, each of the user's devices with an FCM
 * token that is not connected — or is connected but has not acknowledged the poke within
 * FCM_ACK_TIMEOUT_MS — gets one data-only message. A device has at most one wake-up
 * outstanding until it reads the delta. A dead token is removed; rate limits and server
 * errors are retried with exponential backoff.
 */
@Injectable()
export class WakeupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WakeupService.name);
  /** Device id → the seq its outstanding wake-up was for. */
  private readonly outstanding = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly config: AppConfig,
    @Inject(PUSH_SENDER) private readonly sender: PushSender,
    private readonly devices: DevicesService,
    private readonly sync: DeviceSyncService,
    private readonly broker: MqttBrokerService,
    events: EventBus,
  ) {
    events.on('poke.sent', (p) => this.afterPoke(p.userId, p.ns, p.seq));
    events.on('delta.read', (r) => void this.outstanding.delete(r.deviceId));
  }

  onApplicationBootstrap(): void {
    if (!this.sender.enabled) this.logger.log('FCM is off (no FCM_CREDENTIALS_FILE): sleeping phones are not woken');
  }

  onApplicationShutdown(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Whether a wake-up is outstanding for the device (tests, admin). */
  pendingFor(deviceId: string): number | undefined {
    return this.outstanding.get(deviceId);
  }

  private async afterPoke(userId: string, ns: string, seq: number): Promise<void> {
    if (!this.sender.enabled) return;
    const devices = (await this.devices.ofUser(userId)).filter((d) => d.fcmToken && !d.revokedAt);
    for (const d of devices) {
      if (this.outstanding.has(d.id)) continue;
      if (!this.broker.isConnected(d.id)) {
        await this.wake(d.id, ns, seq);
        continue;
      }
      this.later(this.config.fcm.ackTimeoutMs, async () => {
        const s = this.sync.current(d.id);
        const caughtUp = s && (s.lastAckedSeq >= seq || s.lastFetchedSeq >= seq);
        if (!caughtUp && !this.outstanding.has(d.id)) await this.wake(d.id, ns, seq);
      });
    }
  }

  private async wake(deviceId: string, ns: string, seq: number, attempt = 1): Promise<void> {
    // Read the device again: its token may have changed or gone since the poke.
    const device = await this.devices.find(deviceId);
    if (!device?.fcmToken || device.revokedAt) return;
    this.outstanding.set(deviceId, seq);
    const result = await this.sender.send({
      token: device.fcmToken,
      platform: device.platform,
      data: { type: 'sync', ns, seq: String(seq) },
      collapseKey: ns,
      ttlSeconds: this.config.fcm.ttlSeconds,
    });
    switch (result.kind) {
      case 'sent':
        this.logger.debug({ deviceId, seq }, 'wake-up sent');
        return;
      case 'invalid-token':
        this.outstanding.delete(deviceId);
        await this.devices.clearPushToken(deviceId);
        this.logger.log({ deviceId }, 'FCM token no longer registered; removed');
        return;
      case 'retry':
        if (attempt >= MAX_ATTEMPTS) break;
        this.later(result.afterMs ?? this.config.fcm.retryBaseMs * 2 ** (attempt - 1), () => this.wake(deviceId, ns, seq, attempt + 1));
        return;
      case 'failed':
        break;
    }
    this.outstanding.delete(deviceId);
    this.logger.warn({ deviceId, result }, 'wake-up not delivered');
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn().catch((err: unknown) => this.logger.warn({ err }, 'wake-up failed'));
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}
