import { Injectable } from '@nestjs/common';
import { EventBus } from '../../common/events/event-bus.js';
import { JournalRepository } from './journal.repository.js';
import type { JournalAppended, JournalEntry } from './journal.types.js';

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    'journal.appended': JournalAppended;
  }
}

const MAX_CACHED_HEADS = 100_000;
/** The stored head hint is raised every this many entries: a cold reader probes at most this far. */
const HINT_EVERY = 32;

/** Appends to and reads the journal, keeping each namespace's head in memory as a hint. */
@Injectable()
export class JournalService {
  private readonly heads = new Map<string, number>();

  constructor(
    private readonly repo: JournalRepository,
    private readonly events: EventBus,
  ) {}

  /** The current head seq (0 for an empty journal). Cheap: one or two `_id` probes. */
  async head(ns: string): Promise<number> {
    const seq = await this.repo.head(ns, this.heads.get(ns));
    this.remember(ns, seq);
    return seq;
  }

  /**
   * Appends the entry at `entry.seq`. False when another writer took that seq first: the caller
   * re-reads, re-validates and tries again. On success, announces `journal.appended`.
   */
  async append(entry: JournalEntry): Promise<boolean> {
    if (!(await this.repo.tryAppend(entry))) return false;
    this.remember(entry.ns, entry.seq);
    if (entry.seq % HINT_EVERY === 0) await this.repo.raiseHeadHint(entry.ns, entry.seq);
    this.events.emit('journal.appended', { ns: entry.ns, seq: entry.seq, userId: entry.userId, deviceId: entry.deviceId });
    return true;
  }

  /**
   * Appends consecutive entries in one ordered insert; returns how many went in — all, or
   * those before a seq another writer had taken.
   */
  async appendMany(entries: readonly JournalEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const stored = await this.repo.tryAppendMany(entries);
    if (stored === 0) return 0;
    const last = entries[stored - 1]!;
    this.remember(last.ns, last.seq);
    if (Math.floor(last.seq / HINT_EVERY) > Math.floor((entries[0]!.seq - 1) / HINT_EVERY)) await this.repo.raiseHeadHint(last.ns, last.seq);
    for (const e of entries.slice(0, stored)) this.events.emit('journal.appended', { ns: e.ns, seq: e.seq, userId: e.userId, deviceId: e.deviceId });
    return stored;
  }

  /** Live bytes of a namespace: what its head entry records (exact, unlike the projection's hints). */
  async usage(ns: string): Promise<number> {
    const head = await this.head(ns);
    return head === 0 ? 0 : ((await this.get(ns, head))?.usage ?? 0);
  }

  get(ns: string, seq: number): Promise<JournalEntry | null> {
    return this.repo.get(ns, seq);
  }

  readAfter(ns: string, afterSeq: number, limit: number): Promise<JournalEntry[]> {
    return this.repo.readAfter(ns, afterSeq, limit);
  }

  private remember(ns: string, seq: number): void {
    if ((this.heads.get(ns) ?? -1) >= seq) return;
    if (this.heads.size >= MAX_CACHED_HEADS) this.heads.clear();
    this.heads.set(ns, seq);
  }
}
