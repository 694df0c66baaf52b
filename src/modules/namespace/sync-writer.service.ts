import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { EventBus } from '../../common/events/event-bus.js';
import { DevicesRepository } from '../auth/devices.repository.js';
import { UsersRepository } from '../auth/users.repository.js';
import { ConflictsErrors } from '../conflicts/conflicts.errors.js';
import { CONFLICT_ID, ConflictsRepository, conflictId } from '../conflicts/conflicts.repository.js';
import { BlocksService } from '../blocks/blocks.service.js';
import { JournalErrors } from '../journal/journal.errors.js';
import { JournalService } from '../journal/journal.service.js';
import type { JournalEntry, NodeState, OpKind } from '../journal/journal.types.js';
import { NamespaceErrors } from './namespace.errors.js';
import type { Operation, WriteContext } from './operations.js';
import { Planner, type ResolvableConflict } from './planner.js';
import { ProjectionService } from './projection.service.js';
import { TreeRepository } from './tree.repository.js';
import { TreeView } from './tree-view.js';

/** How many times a writer re-plans after another process took the seq it wanted. */
const MAX_ATTEMPTS = 20;

export interface WriteResult {
  /** The node the operation acted on, as it is after it. */
  node: NodeState;
  /** The journal seq of the write; null when the operation changed nothing (already so). */
  seq: number | null;
  /** Conflicts the server settled while applying it. */
  conflicts: { id: string; kind: string }[];
}

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    /** The server settled a conflict for a device's operation (a device-directed notice goes out). */
    'conflict.recorded': { userId: string; deviceId: string; conflictId: string; kind: string; seq: number };
  }
}

/**
 * The only way the tree changes. Per namespace and attempt: catch the projection up to the
 * journal head, answer a retried operation from its record, plan against the tree at the
 * head, insert the journal entry at head + 1 — the unique `_id` lets exactly one writer win a
 * seq across processes — and apply it. A writer that loses the race re-reads and re-plans.
 */
@Injectable()
export class SyncWriter {
  private readonly logger = new Logger(SyncWriter.name);
  private readonly planner: Planner;

  constructor(
    private readonly projection: ProjectionService,
    private readonly journal: JournalService,
    private readonly tree: TreeRepository,
    private readonly users: UsersRepository,
    private readonly conflicts: ConflictsRepository,
    private readonly clock: Clock,
    private readonly events: EventBus,
    blocks: BlocksService,
    devices: DevicesRepository,
  ) {
    this.planner = new Planner({
      heldSizes: (userId, hashes) => blocks.heldSizes(userId, hashes),
      // An account's id is its namespace's, i.e. its root folder's: never stored, but taken.
      idInUse: async (id) => (await this.tree.idExists(id)) || (await this.users.findById(id)) !== null,
      deviceName: async (id) => (await devices.findById(id))?.name ?? 'another device',
    });
  }

  async write(ctx: WriteContext, op: Operation): Promise<WriteResult> {
    await this.tree.ensureNamespace(ctx.ns, ctx.userId, this.clock.now());
    const opKey = ctx.opId ? `${ctx.deviceId}:${ctx.opId}` : null;
    const opHash = opKey ? hashOperation(op) : null;
    const outcome = await this.appendNext<WriteResult>(ctx.ns, async (head, seq, now) => {
      if (ctx.baseSeq > head) throw JournalErrors.baseCursorInvalid('it is ahead of the journal');
      if (opKey) {
        const prior = await this.replay(ctx.ns, opKey, opHash!);
        if (prior) return { done: prior };
      }
      const view = new TreeView(ctx.ns, this.tree);
      const plan =
        op.type === 'resolveConflict'
          ? await this.planner.planResolution(await this.openConflict(ctx.ns, op.conflictId), op.resolution, view, ctx, seq, now)
          : await this.planner.plan(op, view, ctx, seq, now);
      if (plan.kind === 'noop') return { done: { node: plan.node, seq: null, conflicts: [] } };
      const usage = this.projection.usage(ctx.ns) + plan.usageDelta;
      if (plan.usageDelta > 0) await this.assertQuota(ctx.userId, usage, plan.usageDelta);
      return {
        entry: {
          ns: ctx.ns,
          seq,
          at: now,
          userId: ctx.userId,
          deviceId: ctx.deviceId,
          kind: plan.opKind,
          opKey,
          opHash,
          changes: plan.changes,
          usage,
          ...(plan.conflicts.length > 0 ? { conflicts: plan.conflicts } : {}),
          ...(plan.resolved ? { resolved: plan.resolved } : {}),
        },
      };
    });
    if ('done' in outcome) return outcome.done;
    const { entry } = outcome;
    const conflicts = (entry.conflicts ?? []).map((c, i) => ({ id: conflictId(ctx.ns, entry.seq, i), kind: c.kind }));
    for (const c of conflicts) {
      this.events.emit('conflict.recorded', { userId: ctx.userId, deviceId: ctx.deviceId, conflictId: c.id, kind: c.kind, seq: entry.seq });
    }
    return { node: entry.changes[0]!, seq: entry.seq, conflicts };
  }

  /**
   * A write of the server's own (retention): no device, no operation id, live usage unchanged.
   * `plan` returns what changes, or null for nothing to do. Returns the seq written, if any.
   */
  async systemWrite(
    ns: string,
    ownerId: string,
    kind: OpKind,
    plan: (view: TreeView, seq: number, now: Date) => Promise<{ changes: NodeState[]; purgedRevisions?: string[] } | null>,
  ): Promise<number | null> {
    const outcome = await this.appendNext(ns, async (_head, seq, now) => {
      const planned = await plan(new TreeView(ns, this.tree), seq, now);
      if (!planned) return { done: null };
      const { changes, purgedRevisions } = planned;
      const entry: JournalEntry = { ns, seq, at: now, userId: ownerId, deviceId: null, kind, opKey: null, opHash: null, changes, usage: this.projection.usage(ns) };
      if (purgedRevisions?.length) entry.purgedRevisions = purgedRevisions;
      return { entry };
    });
    return 'done' in outcome ? null : outcome.entry.seq;
  }

  /**
   * The write loop shared by every writer of a namespace, under its lock: catch the projection
   * up, let `attempt` build the entry for head + 1 (or finish without one), insert it — on a
   * taken seq, start over — and apply it.
   */
  private appendNext<T>(
    ns: string,
    attempt: (head: number, seq: number, now: Date) => Promise<{ done: T } | { entry: JournalEntry }>,
  ): Promise<{ done: T } | { entry: JournalEntry }> {
    return this.projection.locks.run(ns, async () => {
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const head = await this.projection.catchUpLocked(ns);
        const outcome = await attempt(head, head + 1, this.clock.now());
        if ('done' in outcome) return outcome;
        if (!(await this.journal.append(outcome.entry))) {
          this.logger.debug({ ns, seq: head + 1, attempt: i }, 'lost the race for a seq; re-planning');
          continue;
        }
        await this.projection.apply(outcome.entry);
        return outcome;
      }
      throw NamespaceErrors.busy();
    });
  }

  /** The first result of an operation that was applied already. */
  private async replay(ns: string, opKey: string, opHash: string): Promise<WriteResult | null> {
    const rec = await this.tree.opRecord(opKey);
    if (!rec) return null;
    if (rec.opHash !== opHash || rec.ns !== ns) throw NamespaceErrors.opIdReused();
    const entry = await this.journal.get(ns, rec.seq);
    if (!entry) throw new Error(`op ${opKey} names seq ${rec.seq}, which is not in the journal`);
    const conflicts = (entry.conflicts ?? []).map((c, i) => ({ id: conflictId(ns, entry.seq, i), kind: c.kind }));
    return { node: entry.changes[0]!, seq: entry.seq, conflicts };
  }

  private async openConflict(ns: string, id: string): Promise<ResolvableConflict> {
    const record = CONFLICT_ID.test(id) ? await this.conflicts.find(id) : null;
    if (!record || record.ns !== ns) throw ConflictsErrors.notFound();
    if (record.resolvedAt) throw ConflictsErrors.alreadyResolved();
    return record;
  }

  private async assertQuota(userId: string, usage: number, delta: number): Promise<void> {
    const user = await this.users.findById(userId);
    const quota = user?.quotaBytes ?? 0;
    if (quota > 0 && usage > quota) throw NamespaceErrors.quotaExceeded(quota, usage - delta, delta);
  }
}

/** A stable hash of an operation's payload, to tell a retry from a reused opId. */
export function hashOperation(op: Operation): string {
  const canonical = JSON.stringify(op, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}
