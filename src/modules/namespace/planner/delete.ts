import type { TreeNode } from '../../../domain/node.js';
import { decideDelete, partialDelete } from '../conflicts/conflict-policy.js';
import type { Operation } from '../operations.js';
import type { Plan } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { seen, seenAttributes } from './seen.js';

/** A delete, by rules 8 and 9: what the device had not seen inside a folder stays (and is re-sent). */
export async function planDelete(op: Extract<Operation, { type: 'delete' }>, p: PlanContext): Promise<Plan> {
  const node = await p.existing(op.id);
  const subtree = node.kind === 'folder' && !node.deleted ? await p.view.descendants(node, (n) => !n.deleted) : [];
  const byId = new Map([node, ...subtree].map((n) => [n.id, n] as const));
  const removed = new Set(op.removedIds ?? []);
  /**
   * What the device had not seen inside the folder: a node whose content or place changed
   * after its base cursor; and, unless the device says it removed it (then it had it there),
   * one back from the trash since then or one that came in with a folder moved in unseen.
   */
  const changedUnseen = (n: TreeNode): boolean => {
    const s = seenAttributes(n, p.ctx);
    if (!s.content || !s.location) return true;
    if (removed.has(n.id)) return false;
    if (!s.deletion) return true;
    for (let a = byId.get(n.parentId); a && a.id !== node.id; a = byId.get(a.parentId)) {
      if (!seen(a.locationSeq, a.locationDev, p.ctx)) return true;
    }
    return false;
  };
  const decision = decideDelete({
    deleted: node.deleted,
    seen: seenAttributes(node, p.ctx),
    descendantsChangedUnseen: subtree.some(changedUnseen),
  });
  let deleteIds = new Set<string>();
  switch (decision.action) {
    case 'noop':
      if (!(await p.reemitRemoved(op.removedIds, deleteIds))) return p.noop(node);
      // The entry is still about the deleted node (changes[0]); re-sending it changes nothing.
      p.touch(node);
      return p.write('node.delete', 0, node.id);
    case 'keep':
      // The delete loses: the node (and its subtree) is re-sent so the device shows it again.
      await p.touchSubtree(node);
      p.conflict(decision.conflict, [node.id]);
      break;
    case 'delete-seen-only': {
      const split = partialDelete(
        node.id,
        subtree.map((d) => ({ id: d.id, parentId: d.parentId, changedUnseen: changedUnseen(d) })),
      );
      deleteIds = split.deleteIds;
      for (const id of split.keepIds) p.touch(byId.get(id)!);
      p.conflict(decision.conflict, [node.id, ...[...split.keepIds].filter((id) => id !== node.id)]);
      break;
    }
    case 'apply':
      deleteIds = new Set([node.id, ...subtree.map((d) => d.id)]);
      break;
  }
  // Each deleted piece is trashed under its topmost deleted ancestor (restorable as a whole).
  const topOf = (n: TreeNode): string => {
    let top = n;
    while (top.id !== node.id && deleteIds.has(top.parentId)) top = byId.get(top.parentId)!;
    return top.id;
  };
  let freed = 0;
  for (const id of deleteIds) {
    const n = byId.get(id)!;
    freed += p.trash(n, topOf(n));
  }
  await p.reemitRemoved(op.removedIds, deleteIds);
  if (!p.hasChanges()) return p.noop(node);
  return p.write('node.delete', -freed, node.id);
}
