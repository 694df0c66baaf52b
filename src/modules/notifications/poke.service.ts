import { rootNamespaceOf } from '../../domain/namespace.js';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { EventBus, type DomainEvents } from '../../common/events/event-bus.js';
import { DevicesService } from '../auth/devices.service.js';
import { JournalService } from '../journal/journal.service.js';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { deviceTopic, userTopic } from './mqtt-topics.js';

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    /** A poke went out on the user's topic carrying this seq. */
    'poke.sent': { userId: string; ns: string; seq: number };
  }
}

interface Pending {
  ns: string;
  seq: number;
  timer: NodeJS.Timeout | undefined;
  lastSentAt: number;
}

/**
 * Pokes a user's devices on every journal append: `{ns, seq}` on `sync/v1/u/<userId>`, QoS 1,
 * nothing else (no names, no content). Pokes are coalesced per user: the first of a quiet
 * period goes out at once, later ones wait for the window to pass and go out as one carrying
 * the latest seq — so a burst of commits is a handful of pokes and the last is always current.
 */
@Injectable()
export class PokeService implements OnApplicationShutdown {
  private readonly logger = new Logger(PokeService.name);
  private readonly pending = new Map<string, Pending>();
  private readonly windowMs: number;

  constructor(
    config: AppConfig,
    private readonly broker: MqttBrokerService,
    private readonly journal: JournalService,
    private readonly events: EventBus,
    private readonly devices: DevicesService,
  ) {
    this.windowMs = config.mqtt.pokeCoalesceMs;
    events.on('journal.appended', (e) => this.changed(e.userId, e.ns, e.seq));
    events.on('mqtt.subscribed', (who) => this.sendCurrent(who.userId, who.deviceId));
    // A device-directed notice to each of the user's devices: the server settled a conflict.
    events.on('conflict.recorded', (c) => this.noticeConflict(c));
  }

  onApplicationShutdown(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  changed(userId: string, ns: string, seq: number): void {
    const p = this.pending.get(userId) ?? { ns, seq: 0, timer: undefined, lastSentAt: 0 };
    this.pending.set(userId, p);
    if (seq > p.seq) {
      p.seq = seq;
      p.ns = ns;
    }
    if (p.timer) return; // a poke is already scheduled; it will carry this seq
    const wait = p.lastSentAt + this.windowMs - Date.now();
    if (wait <= 0) {
      this.send(userId, p);
      return;
    }
    p.timer = setTimeout(() => {
      p.timer = undefined;
      this.send(userId, p);
    }, wait);
  }

  private send(userId: string, p: Pending): void {
    p.lastSentAt = Date.now();
    const { ns, seq } = p;
    // Announced once handed to the broker: Aedes calls back only when every subscriber's copy
    // was written, and a device that stopped reading must not hold back its own wake-up.
    this.broker.publish(userTopic(userId), { ns, seq }).catch((err: unknown) => this.logger.warn({ err, userId }, 'poke failed'));
    this.events.emit('poke.sent', { userId, ns, seq });
  }

  private async noticeConflict(c: DomainEvents['conflict.recorded']): Promise<void> {
    const notice = { type: 'conflict', conflictId: c.conflictId, kind: c.kind, seq: c.seq, deviceId: c.deviceId };
    for (const d of await this.devices.ofUser(c.userId)) {
      if (d.revokedAt) continue;
      await this.broker.publish(deviceTopic(d.id), notice).catch((err: unknown) => this.logger.warn({ err }, 'conflict notice failed'));
    }
  }

  /** A device that (re)subscribes learns the current seq at once, on its own topic. */
  private async sendCurrent(userId: string, deviceId: string): Promise<void> {
    const ns = rootNamespaceOf(userId);
    const seq = await this.journal.head(ns);
    await this.broker.publish(deviceTopic(deviceId), { ns, seq });
  }
}
