import { createHash } from 'node:crypto';
import { BLOCK_SIZE } from '../../../src/shared/content-hash.js';
import { uuidv7 } from '../../../src/shared/ids.js';
import type { NodeState, TreeNode } from '../../../src/domain/node.js';
import type { Operation, WriteContext } from '../../../src/modules/namespace/operations.js';
import type { Plan, ResolvableConflict } from '../../../src/modules/namespace/planner/plan.js';
import { Planner } from '../../../src/modules/namespace/planner/planner.js';
import { planPurge, type PurgePlan } from '../../../src/modules/namespace/planner/purge.js';
import { NamespaceModel } from '../../../src/modules/namespace/tree-model.js';
import { TreeView } from '../../../src/modules/namespace/tree-view.js';

export const DAY_MS = 86_400_000;

/** A block hash of `text`, and the size a one-block file of it has. */
export function blockOf(text: string): { hash: string; size: number } {
  return { hash: createHash('sha256').update(text).digest('hex'), size: text.length };
}

/**
 * One namespace in memory for planner tests: the real planner over a `TreeView` of a
 * `NamespaceModel` (the same in-memory tree the server reads), every written plan folded in
 * as the journal entry the server would append, so later operations see earlier ones.
 */
export class PlannerWorld {
  readonly ns = uuidv7();
  readonly model = new NamespaceModel(this.ns);
  readonly held = new Map<string, number>();
  readonly conflicts: { id: string; kind: string; nodeIds: string[] }[] = [];
  now = new Date('2026-06-01T12:00:00Z');
  private readonly planner = new Planner({
    heldSizes: (_user, hashes) => Promise.resolve(new Map(hashes.filter((h) => this.held.has(h)).map((h) => [h, this.held.get(h)!]))),
    deviceName: (id) => Promise.resolve(`dev-${id}`),
  });

  get head(): number {
    return this.model.seq;
  }

  /** Plans an operation of `device` that had seen everything up to `baseSeq` (default: the head), and applies it. */
  async run(op: Operation, device = 'A', baseSeq = this.head): Promise<Plan> {
    const ctx: WriteContext = { ns: this.ns, userId: 'u', deviceId: device, baseSeq };
    const seq = this.head + 1;
    const plan = await this.planner.plan(op, new TreeView(this.model), ctx, seq, this.now);
    this.record(plan, seq, device);
    return plan;
  }

  async resolve(conflict: ResolvableConflict, resolution: string, device = 'A'): Promise<Plan> {
    const ctx: WriteContext = { ns: this.ns, userId: 'u', deviceId: device, baseSeq: this.head };
    const seq = this.head + 1;
    const plan = await this.planner.planResolution(conflict, resolution, new TreeView(this.model), ctx, seq, this.now);
    this.record(plan, seq, device);
    return plan;
  }

  async purge(trashCutoff: Date, revisionCutoff: Date, limit?: number): Promise<PurgePlan> {
    const plan = await planPurge(new TreeView(this.model), trashCutoff, revisionCutoff, limit);
    this.apply(plan.changes, this.head + 1, null, plan.purgedRevisions);
    return plan;
  }

  /** A folder at the root (or in `parentId`), made by device A; its id. */
  async folder(name: string, parentId?: string): Promise<string> {
    return this.primary(await this.run({ type: 'createFolder', name, parentId }));
  }

  /** A one-block file whose content is `text`, its block held; its id. */
  async file(name: string, text: string, parentId?: string): Promise<string> {
    return this.primary(await this.run(this.commitOf(text, { name, parentId })));
  }

  commitOf(text: string, where: { id?: string; name?: string; parentId?: string; path?: string }): Operation {
    const b = blockOf(text);
    this.held.set(b.hash, b.size);
    return { type: 'commit', ...where, blocks: [b.hash], size: b.size };
  }

  node(id: string): TreeNode {
    const n = this.model.node(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Names of the live children of a folder, sorted. */
  names(parentId = this.ns): string[] {
    return this.model
      .children(parentId, 'live')
      .map((n) => n.name)
      .sort();
  }

  primary(plan: Plan): string {
    return plan.kind === 'write' ? plan.changes[0]!.id : plan.node.id;
  }

  private record(plan: Plan, seq: number, device: string): void {
    if (plan.kind !== 'write') return;
    for (const c of plan.conflicts) this.conflicts.push({ id: `c${this.conflicts.length}`, ...c });
    this.apply(plan.changes, seq, device);
  }

  private apply(changes: NodeState[], seq: number, deviceId: string | null, purgedRevisions?: string[]): void {
    this.model.apply({
      ns: this.ns,
      seq,
      at: this.now,
      userId: 'u',
      deviceId,
      kind: 'node.move',
      opKey: null,
      opHash: null,
      changes,
      usage: 0,
      ...(purgedRevisions ? { purgedRevisions } : {}),
    });
  }
}

export { BLOCK_SIZE };
