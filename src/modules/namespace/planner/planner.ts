import type { Operation, WriteContext } from '../operations.js';
import type { TreeView } from '../tree-view.js';
import { planCommit } from './commit.js';
import { planCreate } from './create.js';
import { planDelete } from './delete.js';
import { planMove } from './move.js';
import type { Plan, PlannerPorts, ResolvableConflict } from './plan.js';
import { PlanContext } from './plan-context.js';
import { planResolution } from './resolve-conflict.js';
import { planRestore } from './restore.js';
import { planRestoreRevision } from './restore-revision.js';

/**
 * Turns an operation into the node states it produces, against the tree at the journal
 * head, settling whatever the device had not seen by the conflict policy
 * (../conflicts/conflict-policy.ts, docs/conflicts.md). One file per operation; each gathers
 * the facts, asks the policy, and records the decision in a `PlanContext`. What the server
 * makes on its own — conflicted copies, renamed or restored nodes — carries no device, so
 * later operations of the same offline batch treat it as unseen and never destroy it.
 */
export class Planner {
  constructor(private readonly ports: PlannerPorts) {}

  plan(op: Operation, view: TreeView, ctx: WriteContext, seq: number, now: Date): Promise<Plan> {
    const p = new PlanContext(view, ctx, seq, now, this.ports);
    switch (op.type) {
      case 'createFolder':
        return planCreate(op, p, 'folder');
      case 'commit':
        return planCommit(op, p);
      case 'move':
        return planMove(op, p);
      case 'delete':
        return planDelete(op, p);
      case 'restore':
        return planRestore(op, p);
      case 'restoreRevision':
        return planRestoreRevision(op, p);
      case 'resolveConflict':
        throw new Error('a conflict resolution is planned with planResolution()');
    }
  }

  planResolution(conflict: ResolvableConflict, resolution: string, view: TreeView, ctx: WriteContext, seq: number, now: Date): Promise<Plan> {
    return planResolution(conflict, resolution, new PlanContext(view, ctx, seq, now, this.ports));
  }
}
