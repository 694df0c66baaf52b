import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { KeyedMutex } from '../../common/async.js';
import { ConflictsRepository, conflictId } from '../conflicts/conflicts.repository.js';
import { JournalService } from '../journal/journal.service.js';
import type { JournalEntry } from '../journal/journal.types.js';
import type { Revision } from './namespace.types.js';
import { TreeRepository } from './tree.repository.js';

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
export class ProjectionService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProjectionService.name);
  /** Per namespace: every entry up to `seq` is applied; `usage` is the namespace's bytes then. */
  private readonly applied = new Map<string, { seq: number; usage: number }>();
  /** Serializes a namespace's writers and catch-ups inside this process. */
  readonly locks = new KeyedMutex();

  constructor(
    private readonly tree: TreeRepository,
    private readonly journal: JournalService,
    private readonly conflicts: ConflictsRepository,
  ) {}

  /** Repairs every namespace in the background at start; requests repair lazily anyway. */
  onApplicationBootstrap(): void {
    void this.repairAll().catch((err: unknown) => this.logger.error({ err }, 'start-up repair failed'));
  }

  async repairAll(): Promise<number> {
    let repaired = 0;
    for await (const { id, appliedSeq } of this.tree.allNamespaceIds()) {
      const head = await this.locks.run(id, () => this.catchUpLocked(id));
      if (head > appliedSeq) repaired++;
    }
    return repaired;
  }

  /** Catches the namespace up and returns the head seq. Takes the namespace lock. */
  catchUp(ns: string): Promise<number> {
    return this.locks.run(ns, () => this.catchUpLocked(ns));
  }

  /** As catchUp, for a caller already holding the namespace lock. */
  async catchUpLocked(ns: string): Promise<number> {
    let applied = this.applied.get(ns)?.seq ?? (await this.tree.namespace(ns))?.appliedSeq ?? 0;
    const head = await this.journal.head(ns);
    while (applied < head) {
      const entries = await this.journal.readAfter(ns, applied, Math.min(CATCH_UP_BATCH, head - applied));
      if (entries.length === 0) break;
      for (const e of entries) {
        await this.apply(e);
        applied = e.seq;
      }
      this.logger.debug({ ns, applied, head }, 'projection caught up');
    }
    if (!this.applied.has(ns)) this.remember(ns, applied, (await this.journal.get(ns, applied))?.usage ?? 0);
    return applied;
  }

  /** Bytes of live file content at the applied head (after catchUpLocked). */
  usage(ns: string): number {
    return this.applied.get(ns)?.usage ?? 0;
  }

  /** Applies one entry (idempotent). Callers hold the namespace lock. */
  async apply(e: JournalEntry): Promise<void> {
    await this.tree.applyStates(e.ns, e.seq, e.changes);
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
    if (e.conflicts?.length) {
      await this.conflicts.record(
        e.conflicts.map((c, i) => ({
          id: conflictId(e.ns, e.seq, i),
          ns: e.ns,
          userId: e.userId,
          deviceId: e.deviceId,
          kind: c.kind,
          nodeIds: c.nodeIds,
          opKind: e.kind,
          seq: e.seq,
          at: e.at,
          resolvedAt: null,
          resolution: null,
          resolvedSeq: null,
        })),
      );
    }
    for (const r of e.resolved ?? []) await this.conflicts.resolve(r.conflictId, r.resolution, e.seq, e.at);
    if (e.purgedRevisions?.length) await this.tree.deleteRevisions(e.purgedRevisions);
    if (e.seq % MARK_EVERY === 0) await this.tree.markApplied(e.ns, e.seq, e.usage);
    this.remember(e.ns, e.seq, e.usage);
  }

  private remember(ns: string, seq: number, usage: number): void {
    if ((this.applied.get(ns)?.seq ?? -1) > seq) return;
    if (this.applied.size >= MAX_TRACKED) this.applied.clear();
    this.applied.set(ns, { seq, usage });
  }
}
