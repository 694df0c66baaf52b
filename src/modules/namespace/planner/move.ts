import { decideMove, type ConflictKind } from '../conflicts/conflict-policy.js';
import { NamespaceErrors } from '../namespace.errors.js';
import type { Operation } from '../operations.js';
import type { Plan } from './plan.js';
import { sumFileSizes, validName, type PlanContext } from './plan-context.js';
import { seenAttributes } from './seen.js';

/** A move or rename, by rules 3, 5 and 6 (rename beats delete; a cycle from unseen moves is skipped). */
export async function planMove(op: Extract<Operation, { type: 'move' }>, p: PlanContext): Promise<Plan> {
  const node = await p.existing(op.id);
  const name = op.name === undefined ? node.name : validName(op.name);
  const target = await p.folderForPlacement(op.parentId ?? node.parentId);
  const cycle = node.kind === 'folder' && (await p.isSelfOrAncestor(node.id, target.id));
  const decision = decideMove({
    sameLocation: target.id === node.parentId && name === node.name,
    deleted: node.deleted,
    deletedItself: node.trashRootId === node.id,
    seen: seenAttributes(node, p.ctx),
    cycle,
    cycleFromUnseenMoves: cycle && (await p.unseenMoveOnPath(target.id, node.id)),
  });
  const dev = p.ctx.deviceId;
  switch (decision.action) {
    case 'noop':
      return p.noop(node);
    case 'refuse':
      throw NamespaceErrors.moveIntoItself();
    case 'skip':
      await p.touchSubtree(node);
      p.conflict(decision.conflict, [node.id]);
      return p.write('node.move', 0, node.id);
    case 'restore-and-move':
    case 'restore-chain-and-move':
    case 'restore-in-place': {
      // Rename beats delete: the node and what the same delete removed come back — where
      // it was, if the move would make a cycle.
      // A file past trash retention cannot come back without its content (as a restore).
      if (node.purged && node.kind === 'file') throw NamespaceErrors.purged();
      const inPlace = decision.action === 'restore-in-place';
      const to = inPlace ? await p.folderForPlacement(node.parentId) : target;
      const subtree = await p.restoredWith(node);
      for (const d of subtree) p.change(d, p.revival(dev));
      const chainRevived = to.deleted;
      const parent = await p.ensureLiveFolder(to, null, node.id);
      const placed = await p.placeName(parent.id, inPlace ? node.name : name, node.id, op.autorename);
      p.change(node, { ...p.revival(dev), parentId: parent.id, name: placed, ...p.movedIf(node, parent.id, placed, dev) });
      await p.rerootTrash([node, ...subtree]);
      const kind: ConflictKind = inPlace
        ? 'MOVE_CYCLE'
        : decision.action === 'restore-and-move' || !chainRevived
          ? 'MOVE_RESTORED'
          : 'PARENT_RESTORED';
      if (decision.action !== 'restore-and-move' || decision.conflict) p.conflict(kind, [node.id]);
      return p.write('node.move', sumFileSizes([node, ...subtree]), node.id);
    }
    case 'apply': {
      const parent = await p.ensureLiveFolder(target, 'PARENT_RESTORED', node.id);
      const placed = await p.placeName(parent.id, name, node.id, op.autorename);
      if (parent.id === node.parentId && placed === node.name) {
        // The asked-for name was taken, and the name kept for the collision is the node's own:
        // nothing moves, but the mover must learn it, so the node and the NAME_COLLISION are
        // journaled (a device that renamed locally gets its name back from the delta).
        p.touch(node);
        return p.write('node.move', 0, node.id);
      }
      p.change(node, { parentId: parent.id, name: placed, locationSeq: p.seq, locationDev: dev });
      return p.write('node.move', 0, node.id);
    }
  }
}
