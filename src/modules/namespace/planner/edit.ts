import { uuidv7 } from '../../../shared/ids.js';
import { conflictedName } from '../../../shared/names.js';
import type { OpKind, TreeNode } from '../../../domain/node.js';
import { decideEdit, freeName } from '../conflicts/conflict-policy.js';
import type { Content } from './create.js';
import type { Plan } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { seenAttributes } from './seen.js';

/**
 * A new version of an existing file, by rules 1, 2 and 7: applied, or — the file deleted
 * meanwhile — brought back with it, or — edited meanwhile — landed beside it as a conflicted
 * copy. `checkBlocks` runs only when the content is to be written.
 */
export async function planEdit(node: TreeNode, content: Content, p: PlanContext, opKind: OpKind, checkBlocks?: () => Promise<void>): Promise<Plan> {
  const decision = decideEdit({
    sameContent: node.contentHash === content.contentHash && node.size === content.size,
    deleted: node.deleted,
    seen: seenAttributes(node, p.ctx),
  });
  if (decision.action === 'noop') return p.noop(node);
  await checkBlocks?.();
  const newContent = { ...content, contentSeq: p.seq, contentDev: p.ctx.deviceId };
  switch (decision.action) {
    case 'apply': {
      p.change(node, newContent);
      return p.write(opKind, content.size - node.size, node.id);
    }
    case 'restore-and-edit': {
      // Edit beats delete: the file comes back where it was, its deleted folders with it.
      p.change(node, { ...(await p.reviveInPlace(node)), ...newContent });
      if (decision.conflict) p.conflict(decision.conflict, [node.id]);
      return p.write(opKind, content.size, node.id);
    }
    case 'conflicted-copy': {
      // Edit/edit: the server's version keeps its name; the incoming content lands beside it.
      p.touch(node);
      const label = `${await p.ports.deviceName(p.ctx.deviceId)} ${p.now.toISOString().slice(0, 10)}`;
      const parent = (await p.node(node.parentId))!;
      const { name } = await freeName(
        conflictedName(node.name, label),
        (c) => p.nameTaken(parent.id, c, null),
        (n) => conflictedName(node.name, label, n + 1),
      );
      const copy = p.newNode(uuidv7(), parent, name, 'file', null);
      Object.assign(copy, { size: content.size, contentHash: content.contentHash, blocks: content.blocks, mtime: content.mtime });
      p.set(copy);
      p.conflict(decision.conflict, [node.id, copy.id]);
      return p.write(opKind, content.size, node.id);
    }
  }
}
