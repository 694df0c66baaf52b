import { createHash } from 'node:crypto';
import { backoffMs, mapLimit, sleep } from '../../common/async.js';
import { isBlockHash } from '../../shared/content-hash.js';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { EventBus } from '../../common/events/event-bus.js';
import { DevicesService } from '../auth/devices.service.js';
import { UsersService } from '../auth/users.service.js';
import { conflictId } from './conflicts/conflict-records.js';
import { ConflictsService } from './conflicts/conflicts.service.js';
import { BlocksService } from '../blocks/blocks.service.js';
import { JournalErrors } from '../journal/journal.errors.js';
import { JournalService } from '../journal/journal.service.js';
import type { JournalEntry } from '../journal/journal.types.js';
import type { NodeState, OpKind } from '../../domain/node.js';
import { NamespaceErrors } from './namespace.errors.js';
import type { Operation, WriteContext } from './operations.js';
import type { PlannerPorts } from './planner/plan.js';
import { Planner } from './planner/planner.js';
import { ProjectionService } from './projection.service.js';
import type { OpRecordDoc } from './schemas/namespace.schema.js';
import { TreeRepository } from './tree.repository.js';
import { TreeView } from './tree-view.js';
import { TreeModels } from './tree-model.js';
import { AppError } from '../../common/errors/app-error.js';

/**
 * How many times a writer re-plans after another process took the seq it wanted. After the
 * first retry it backs off (5 ms doubling to 200 ms, jittered): another process's batch inserts
 * its entries one seq after another for as long as the insert takes, and a writer that retried
 * at once would lose every seq of it. The budget spans 1.5 to 3 seconds.
 */
const MAX_ATTEMPTS = 20;
const RETRY_BASE_MS = 5;
const RETRY_MAX_MS = 200;

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
  private readonly ports: PlannerPorts;
  /** Reads as they are, one operation at a time. */
  private readonly live: OpReads;
  /** Per device: a value its op-id watermark is known to have reached (raised by this process). */
  private readonly raisedTo = new Map<string, string>();

  constructor(
    private readonly projection: ProjectionService,
    private readonly journal: JournalService,
    private readonly tree: TreeRepository,
    private readonly users: UsersService,
    private readonly conflicts: ConflictsService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly models: TreeModels,
    blocks: BlocksService,
    private readonly devices: DevicesService,
  ) {
    this.ports = {
      heldSizes: (userId, hashes) => blocks.heldSizes(userId, hashes),
      deviceName: async (id) => (await devices.nameOf(id)) ?? 'another device',
    };
    this.planner = new Planner(this.ports);
    this.live = { planner: this.planner, opRecord: (k) => this.tree.opRecord(k), quotaOf: (u) => this.users.quotaOf(u) };
  }

  async write(ctx: WriteContext, op: Operation): Promise<WriteResult> {
    await this.tree.ensureNamespace(ctx.ns, ctx.userId, this.clock.now());
    const outcome = await this.appendNext<WriteResult>(ctx.ns, (head, seq, now) =>
      this.planEntry(ctx, op, head, seq, now, this.projection.usage(ctx.ns), null, this.live),
    );
    return 'done' in outcome ? outcome.done : this.written(ctx, outcome.entry);
  }

  /**
   * Several operations of one namespace, in order, under one hold of its lock: each is planned
   * against the tree as the ones before it left it (the namespace's in-memory model, advanced
   * as each is planned), then all their entries go into the journal in one ordered insert and
   * into the projection together. Each operation still gets its own entry and its own result;
   * one that fails gets its error and the others go on (or, with `stopOnError`, are skipped).
   * Falls back to one write at a time where a model cannot be had or another process took a
   * seq in between — the answers are the same, only slower.
   */
  async writeBatch(items: readonly { ctx: WriteContext; op: Operation }[], stopOnError: boolean): Promise<BatchOutcome[]> {
    if (items.length === 0) return [];
    const ns = items[0]!.ctx.ns;
    if (items.some((i) => i.ctx.ns !== ns)) throw new Error('a batch writes one namespace');
    await this.tree.ensureNamespace(ns, items[0]!.ctx.userId, this.clock.now());
    // null: planned, its result comes once the entry is stored.
    const outcomes: (BatchOutcome | null)[] = [];
    const rest = await this.projection.locks.run(ns, async () => {
      const head = await this.projection.catchUpLocked(ns);
      const model = this.models.get(ns);
      if (!model || model.seq !== head) return items;
      // Until the entries are stored the model is ahead of the journal: reads stay off it.
      const donePlanning = this.models.planning(ns);
      const pending: { index: number; entry: JournalEntry }[] = [];
      /** Operation keys of this batch's entries (not in the op records until applied). */
      const planned = new Map<string, JournalEntry>();
      let usage = this.projection.usage(ns);
      let failed = false;
      try {
        const reads = await this.readsFor(items);
        for (const [index, { ctx, op }] of items.entries()) {
          if (failed && stopOnError) {
            outcomes.push({ skipped: true });
            continue;
          }
          const seq = head + pending.length + 1;
          try {
            const outcome = await this.planEntry(ctx, op, head, seq, this.clock.now(), usage, planned, reads);
            if ('done' in outcome) {
              outcomes.push({ result: outcome.done });
              continue;
            }
            model.apply(outcome.entry); // the next operation plans against this one's result
            usage = outcome.entry.usage;
            if (outcome.entry.opKey) planned.set(outcome.entry.opKey, outcome.entry);
            pending.push({ index, entry: outcome.entry });
            outcomes.push(null);
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            failed = true;
            outcomes.push({ error: err });
          }
        }
        await this.raiseWatermarks(pending.map((p) => p.entry));
        const stored = await this.journal.appendMany(pending.map((p) => p.entry));
        await this.projection.applyMany(pending.slice(0, stored).map((p) => p.entry));
        for (const { index, entry } of pending.slice(0, stored)) outcomes[index] = { result: this.written(items[index]!.ctx, entry) };
        if (stored === pending.length) return [];
        // Another process took a seq: what was planned after it is void. Redo from there.
        this.models.drop(ns);
        const from = pending[stored]!.index;
        outcomes.length = from;
        return items.slice(from);
      } catch (err) {
        // The model holds entries that may not be in the journal: fold it again on next use.
        this.models.drop(ns);
        throw err;
      } finally {
        donePlanning();
      }
    });
    let failed = outcomes.some((o) => o !== null && 'error' in o);
    for (const { ctx, op } of rest) {
      if (failed && stopOnError) {
        outcomes.push({ skipped: true });
        continue;
      }
      try {
        outcomes.push({ result: await this.write(ctx, op) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failed = true;
        outcomes.push({ error: err });
      }
    }
    return outcomes as BatchOutcome[];
  }

  /** What a device's operation writes at `seq`, or its answer when it writes nothing. */
  private async planEntry(
    ctx: WriteContext,
    op: Operation,
    head: number,
    seq: number,
    now: Date,
    usageBefore: number,
    planned: ReadonlyMap<string, JournalEntry> | null,
    reads: OpReads,
  ): Promise<{ done: WriteResult } | { entry: JournalEntry }> {
    if (ctx.baseSeq > head) throw JournalErrors.baseCursorInvalid('it is ahead of the journal');
    const opKey = ctx.opId ? `${ctx.deviceId}:${ctx.opId}` : null;
    const opHash = opKey ? hashOperation(op) : null;
    if (opKey) {
      const earlier = planned?.get(opKey);
      if (earlier) {
        if (earlier.opHash !== opHash) throw NamespaceErrors.opIdReused();
        return { done: { node: earlier.changes[0]!, seq: earlier.seq, conflicts: conflictsOf(earlier) } };
      }
      const prior = await this.replay(ctx.ns, opKey, opHash!, reads);
      if (prior) return { done: prior };
    }
    const view = new TreeView(this.tree.source(ctx.ns));
    const plan =
      op.type === 'resolveConflict'
        ? await reads.planner.planResolution(await this.conflicts.open(ctx.ns, op.conflictId), op.resolution, view, ctx, seq, now)
        : await reads.planner.plan(op, view, ctx, seq, now);
    if (plan.kind === 'noop') return { done: { node: plan.node, seq: null, conflicts: [] } };
    const usage = usageBefore + plan.usageDelta;
    if (plan.usageDelta > 0) await this.assertQuota(reads, ctx.userId, usage, plan.usageDelta);
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
  }

  /** The answer to a device for its entry, once stored; conflicts it settled are announced. */
  private written(ctx: WriteContext, entry: JournalEntry): WriteResult {
    const conflicts = conflictsOf(entry);
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
      const planned = await plan(new TreeView(this.tree.source(ns)), seq, now);
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
        await this.raiseWatermarks([outcome.entry]);
        if (!(await this.journal.append(outcome.entry))) {
          this.logger.debug({ ns, seq: head + 1, attempt: i }, 'lost the race for a seq; re-planning');
          if (i > 0) await sleep(backoffMs(i - 1, RETRY_BASE_MS, RETRY_MAX_MS));
          continue;
        }
        await this.projection.apply(outcome.entry);
        return outcome;
      }
      throw NamespaceErrors.busy();
    });
  }

  /**
   * What a batch's operations read besides the tree, read for all of them at once: the records
   * of their op ids (retries), the blocks their commits name, the quota. Each operation would
   * otherwise wait for its own three or four round trips. Read under the namespace lock before
   * planning, as each operation would have read them; anything not read ahead is read live.
   * An opId above its device's watermark (DevicesService.opIdsUpTo) has no record to read.
   */
  private async readsFor(items: readonly { ctx: WriteContext; op: Operation }[]): Promise<OpReads> {
    const userId = items[0]!.ctx.userId;
    const deviceIds = [...new Set(items.flatMap(({ ctx }) => (ctx.opId ? [ctx.deviceId] : [])))];
    const hashes = new Set<string>();
    for (const { op } of items) if (op.type === 'commit' && Array.isArray(op.blocks)) for (const b of op.blocks) if (isBlockHash(b)) hashes.add(b);
    const [marks, held] = await Promise.all([
      Promise.all(deviceIds.map((d) => this.devices.opIdsUpTo(d))),
      this.ports.heldSizes(userId, [...hashes]),
    ]);
    const upTo = new Map(deviceIds.map((d, i) => [d, marks[i] ?? null]));
    const records = new Map<string, OpRecordDoc | null>();
    const toRead: string[] = [];
    for (const { ctx } of items) {
      if (!ctx.opId) continue;
      const key = `${ctx.deviceId}:${ctx.opId}`;
      const mark = upTo.get(ctx.deviceId);
      if (mark != null && ctx.opId > mark) records.set(key, null);
      else toRead.push(key);
    }
    const unique = [...new Set(toRead)];
    // Raised now (ahead of what gets applied is allowed), alongside the reads: the raise before
    // the batch's entries are written then has nothing left to do.
    const [recs] = await Promise.all([
      mapLimit(unique, PARALLEL_READS, (k) => this.tree.opRecord(k)),
      this.raiseWatermarksTo(items.flatMap(({ ctx }) => (ctx.opId ? [{ deviceId: ctx.deviceId, opId: ctx.opId }] : []))),
    ]);
    unique.forEach((k, i) => records.set(k, recs[i] ?? null));
    let quota: Promise<number> | null = null;
    return {
      planner: new Planner({
        ...this.ports,
        heldSizes: async (u, want) => {
          if (u !== userId || want.some((h) => !hashes.has(h))) return this.ports.heldSizes(u, want);
          return new Map(want.flatMap((h) => (held.has(h) ? [[h, held.get(h)!] as const] : [])));
        },
      }),
      opRecord: (k) => (records.has(k) ? Promise.resolve(records.get(k)!) : this.tree.opRecord(k)),
      quotaOf: (u) => (u === userId ? (quota ??= this.users.quotaOf(u)) : this.users.quotaOf(u)),
    };
  }

  /**
   * Raises the op-id watermark of each device to the greatest opId among `entries`, before they
   * are written: a watermark may run ahead of what was applied (an entry that then loses its
   * seq, or a crash), never behind — which is what lets readsFor skip reading records above it.
   */
  private raiseWatermarks(entries: readonly JournalEntry[]): Promise<void> {
    return this.raiseWatermarksTo(entries.flatMap((e) => (e.opKey && e.deviceId ? [{ deviceId: e.deviceId, opId: e.opKey.slice(e.deviceId.length + 1) }] : [])));
  }

  private async raiseWatermarksTo(ops: readonly { deviceId: string; opId: string }[]): Promise<void> {
    const top = new Map<string, string>();
    for (const { deviceId, opId } of ops) {
      const t = top.get(deviceId);
      if (t === undefined || opId > t) top.set(deviceId, opId);
    }
    // A watermark never goes down: one this process raised to X is at least X for good, and
    // needs no write for an opId ≤ X (a retry, a batch written one by one after a lost race).
    const raise = [...top].filter(([device, opId]) => !(opId <= (this.raisedTo.get(device) ?? '')));
    await Promise.all(raise.map(([device, opId]) => this.devices.raiseOpIdsUpTo(device, opId)));
    if (this.raisedTo.size > MAX_RAISED_TRACKED) this.raisedTo.clear();
    for (const [device, opId] of raise) this.raisedTo.set(device, opId);
  }

  /** The first result of an operation that was applied already; null for one that was not. */
  private async replay(ns: string, opKey: string, opHash: string, reads: OpReads): Promise<WriteResult | null> {
    const rec = await reads.opRecord(opKey);
    if (!rec) return null;
    if (rec.opHash !== opHash || rec.ns !== ns) throw NamespaceErrors.opIdReused();
    const entry = await this.journal.get(ns, rec.seq);
    if (!entry) throw new Error(`op ${opKey} names seq ${rec.seq}, which is not in the journal`);
    return { node: entry.changes[0]!, seq: entry.seq, conflicts: conflictsOf(entry) };
  }

  private async assertQuota(reads: OpReads, userId: string, usage: number, delta: number): Promise<void> {
    const quota = await reads.quotaOf(userId);
    if (quota > 0 && usage > quota) throw NamespaceErrors.quotaExceeded(quota, usage - delta, delta);
  }
}

/** Where planning an operation reads what is not in the tree. */
interface OpReads {
  planner: Planner;
  opRecord(opKey: string): Promise<OpRecordDoc | null>;
  quotaOf(userId: string): Promise<number>;
}

const PARALLEL_READS = 32;
/** Devices whose raised watermark is remembered, at most. */
const MAX_RAISED_TRACKED = 100_000;

/** One operation's outcome in a batch: its result, its error, or skipped after an error. */
export type BatchOutcome = { result: WriteResult } | { error: AppError } | { skipped: true };

function conflictsOf(entry: JournalEntry): { id: string; kind: string }[] {
  return (entry.conflicts ?? []).map((c, i) => ({ id: conflictId(entry.ns, entry.seq, i), kind: c.kind }));
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
