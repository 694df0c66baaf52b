import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { KeyedMutex } from '../../common/async.js';
import { conflictRecordsOf } from './conflicts/conflict-records.js';
import { ConflictsRepository } from './conflicts/conflicts.repository.js';
import { JournalService } from '../journal/journal.service.js';
import type { JournalEntry } from '../journal/journal.types.js';
import type { Revision } from '../../domain/node.js';
import { TreeRepository } from './tree.repository.js';
import { TreeModels } from './tree-model.js';
import type { TreeSource } from './tree-source.js';

const MAX_TRACKED = 100_000;
const CATCH_UP_BATCH = 256;
/** The namespace's applied-seq hint is written every this many entries (a restart re-applies at most these). */
const MARK_EVERY = 16;

/**
 * Keeps the tree projection equal to the fold of the journal. Every writer and reader of a
 * namespace first calls `catchUp`, which applies any entry the projection lacks — entries
 * written by another process, or by this one before it crashed between the journal insert
 * and the projection update. That is the repair: nothing acknowledged is ever lost, because
 * an entry is acknowledged only once it is in the journal.
 */
@Injectable()
export class ProjectionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionService.name);
  /** Per namespace: every entry up to `seq` is applied; `usage` is the namespace's bytes then. */
  private readonly applied = new Map<string, { seq: number; usage: number }>();
  /** Per namespace: the applied-seq hint as stored, as far as this process knows. */
  private readonly marked = new Map<string, number>();
  /** Serializes a namespace's writers and catch-ups inside this process. */
  readonly locks = new KeyedMutex();

  constructor(
    private readonly tree: TreeRepository,
    private readonly journal: JournalService,
    private readonly conflicts: ConflictsRepository,
    private readonly models: TreeModels,
  ) {}

  /** Repairs every namespace in the background at start; requests repair lazily anyway. */
  onApplicationBootstrap(): void {
    void this.repairAll().catch((err: unknown) => this.logger.error({ err }, 'start-up repair failed'));
  }

  /**
   * Stores the applied-seq hint of every namespace this process applied past it, so that the
   * next start finds nothing to re-apply (repairAll, and the first request of each namespace).
   * Best effort: a crash leaves the hint up to MARK_EVERY entries behind, which is safe.
   */
  async beforeApplicationShutdown(): Promise<void> {
    let marked = 0;
    for (const [ns, { seq, usage }] of this.applied) {
      if (seq <= (this.marked.get(ns) ?? 0)) continue;
      await this.mark(ns, seq, usage).catch((err: unknown) => this.logger.warn({ ns, err }, 'could not store the applied seq at shutdown'));
      marked++;
    }
    if (marked > 0) this.logger.log({ namespaces: marked }, 'applied seqs stored');
  }

  async repairAll(): Promise<number> {
    let repaired = 0;
    for await (const { id, appliedSeq } of this.tree.allNamespaceIds()) {
      // The stored projection only: folding every namespace into memory is for those in use.
      const head = await this.locks.run(id, () => this.catchUpLocked(id, false));
      if (head > appliedSeq) repaired++;
    }
    return repaired;
  }

  /** Catches the namespace up and returns the head seq. Takes the namespace lock. */
  catchUp(ns: string): Promise<number> {
    return this.locks.run(ns, () => this.catchUpLocked(ns));
  }

  /**
   * As catchUp, for a caller already holding the namespace lock. `withModel` also brings the
   * namespace's in-memory tree model to the head (making it from the journal if need be), so
   * the reads that follow are served from memory.
   */
  async catchUpLocked(ns: string, withModel = true): Promise<number> {
    const known = this.applied.get(ns)?.seq;
    let applied = known ?? (await this.tree.namespace(ns))?.appliedSeq ?? 0;
    if (known === undefined) this.marked.set(ns, applied);
    const head = await this.journal.head(ns);
    if (known !== undefined && applied < head) {
      // Another process may have applied these already: its stored hint (which lags, never
      // leads) saves writing them again.
      const hint = (await this.tree.namespace(ns))?.appliedSeq ?? 0;
      if (hint > applied) {
        applied = hint;
        this.remember(ns, hint, (await this.journal.get(ns, hint))?.usage ?? 0);
      }
    }
    while (applied < head) {
      const entries = await this.journal.readAfter(ns, applied, Math.min(CATCH_UP_BATCH, head - applied));
      if (entries.length === 0) break;
      await this.applyMany(entries, true);
      applied = entries.at(-1)!.seq;
      this.logger.debug({ ns, applied, head }, 'projection caught up');
    }
    if (!this.applied.has(ns)) this.remember(ns, applied, (await this.journal.get(ns, applied))?.usage ?? 0);
    if (withModel) await this.models.catchUp(ns, applied);
    return applied;
  }

  /**
   * The namespace's tree at the journal head, for reads. Served from its in-memory model
   * without the namespace lock when the model is there (TreeModels.fresh): a read then waits
   * for no writer — not for a purge entry's projection writes, not for a batch. Otherwise the
   * namespace is caught up under the lock (making the model) as writers do.
   */
  async readable(ns: string): Promise<TreeSource> {
    const model = await this.models.fresh(ns, () => this.journal.head(ns));
    if (model) return model;
    await this.catchUp(ns);
    return this.tree.source(ns);
  }

  /** Bytes of live file content at the applied head (after catchUpLocked). */
  usage(ns: string): number {
    return this.applied.get(ns)?.usage ?? 0;
  }

  /**
   * Applies consecutive entries of one namespace (idempotent), in a few bulk writes where it
   * can: what a batch of operations wrote. `replay`: entries read back from the journal, which
   * may be stored already (see TreeRepository.applyEntriesBulk). Callers hold the namespace lock.
   */
  async applyMany(entries: readonly JournalEntry[], replay = false): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length === 1 && !replay) return this.apply(entries[0]!);
    const ns = entries[0]!.ns;
    try {
      await this.tree.applyEntriesBulk(ns, entries, replay);
      const ops = entries.filter((e) => e.opKey && e.opHash).map((e) => ({ _id: e.opKey!, ns, seq: e.seq, opHash: e.opHash! }));
      await this.tree.addOpRecords(ops);
    } catch (err) {
      this.logger.warn({ ns, err }, 'bulk projection write failed; applying entry by entry');
      for (const e of entries) await this.apply(e);
      return;
    }
    for (const e of entries) await this.applyRecords(e);
    const last = entries.at(-1)!;
    if (Math.floor(last.seq / MARK_EVERY) > Math.floor((entries[0]!.seq - 1) / MARK_EVERY)) await this.mark(ns, last.seq, last.usage);
    for (const e of entries) {
      this.models.apply(e);
      this.remember(ns, e.seq, e.usage);
    }
  }

  /** Applies one entry (idempotent). Callers hold the namespace lock. */
  async apply(e: JournalEntry): Promise<void> {
    if (!(e.kind === 'retention.purge' && (await this.tree.applyPurged(e.ns, e.seq, e.changes)))) await this.tree.applyStates(e.ns, e.seq, e.changes);
    const revisions: Revision[] = e.changes
      .filter((c) => c.kind === 'file' && c.contentSeq === e.seq && c.contentHash !== null)
      .map((c) => ({
        nodeId: c.id,
        seq: e.seq,
        size: c.size,
        contentHash: c.contentHash!,
        blocks: c.blocks,
        mtime: c.mtime,
        at: e.at,
        deviceId: e.deviceId,
      }));
    if (revisions.length > 0) await this.tree.addRevisions(e.ns, revisions);
    if (e.opKey && e.opHash) await this.tree.addOpRecord({ _id: e.opKey, ns: e.ns, seq: e.seq, opHash: e.opHash });
    await this.applyRecords(e);
    if (e.seq % MARK_EVERY === 0) await this.mark(e.ns, e.seq, e.usage);
    this.models.apply(e);
    this.remember(e.ns, e.seq, e.usage);
  }

  /** What an entry records beside the tree: conflicts, their resolutions, purged revisions. */
  private async applyRecords(e: JournalEntry): Promise<void> {
    if (e.conflicts?.length) {
      await this.conflicts.record(conflictRecordsOf(e));
    }
    for (const r of e.resolved ?? []) await this.conflicts.resolve(r.conflictId, r.resolution, e.seq, e.at);
    if (e.purgedRevisions?.length) await this.tree.deleteRevisions(e.ns, e.purgedRevisions);
  }

  private async mark(ns: string, seq: number, usage: number): Promise<void> {
    await this.tree.markApplied(ns, seq, usage);
    if (seq > (this.marked.get(ns) ?? 0)) this.marked.set(ns, seq);
  }

  private remember(ns: string, seq: number, usage: number): void {
    if ((this.applied.get(ns)?.seq ?? -1) > seq) return;
    if (this.applied.size >= MAX_TRACKED) {
      this.applied.clear();
      this.marked.clear();
    }
    this.applied.set(ns, { seq, usage });
  }
}
