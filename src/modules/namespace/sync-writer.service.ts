import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors/app-error.js';
import { UsersRepository } from '../auth/users.repository.js';
import { BlocksService } from '../blocks/blocks.service.js';
import { JournalErrors } from '../journal/journal.errors.js';
import { JournalService } from '../journal/journal.service.js';
import type { JournalEntry, NodeState } from '../journal/journal.types.js';
import { NamespaceErrors } from './namespace.errors.js';
import type { Operation, WriteContext } from './operations.js';
import { Planner } from './planner.js';
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
    private readonly clock: Clock,
    blocks: BlocksService,
  ) {
    this.planner = new Planner(blocks, (id) => this.tree.idExists(id));
  }

  async write(ctx: WriteContext, op: Operation): Promise<WriteResult> {
    await this.tree.ensureNamespace(ctx.ns, ctx.userId, this.clock.now());
    const opKey = ctx.opId ? `${ctx.deviceId}:${ctx.opId}` : null;
    const opHash = opKey ? hashOperation(op) : null;
    return this.projection.locks.run(ctx.ns, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const head = await this.projection.catchUpLocked(ctx.ns);
        if (ctx.baseSeq > head) throw JournalErrors.baseCursorInvalid('it is ahead of the journal');
        if (opKey) {
          const prior = await this.replay(ctx.ns, opKey, opHash!);
          if (prior) return prior;
        }
        const seq = head + 1;
        const now = this.clock.now();
        const plan = await this.planner.plan(op, new TreeView(ctx.ns, this.tree), ctx, seq, now);
        if (plan.kind === 'noop') return { node: plan.node, seq: null };

        const usage = this.projection.usage(ctx.ns) + plan.usageDelta;
        if (plan.usageDelta > 0) await this.assertQuota(ctx.userId, usage, plan.usageDelta);
        const entry: JournalEntry = {
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
        };
        if (!(await this.journal.append(entry))) {
          this.logger.debug({ ns: ctx.ns, seq, attempt }, 'lost the race for a seq; re-planning');
          continue;
        }
        await this.projection.apply(entry);
        return { node: plan.changes[0]!, seq };
      }
      throw NamespaceErrors.busy();
    });
  }

  /** Runs the operations one after another; each gets its own result (an error does not stop the rest). */
  async writeBatch(items: { ctx: WriteContext; op: Operation }[]): Promise<(WriteResult | AppError)[]> {
    const results: (WriteResult | AppError)[] = [];
    for (const { ctx, op } of items) {
      try {
        results.push(await this.write(ctx, op));
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        results.push(err);
      }
    }
    return results;
  }

  /** The first result of an operation that was applied already. */
  private async replay(ns: string, opKey: string, opHash: string): Promise<WriteResult | null> {
    const rec = await this.tree.opRecord(opKey);
    if (!rec) return null;
    if (rec.opHash !== opHash || rec.ns !== ns) throw NamespaceErrors.opIdReused();
    const entry = await this.journal.get(ns, rec.seq);
    if (!entry) throw new Error(`op ${opKey} names seq ${rec.seq}, which is not in the journal`);
    return { node: entry.changes[0]!, seq: entry.seq };
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
