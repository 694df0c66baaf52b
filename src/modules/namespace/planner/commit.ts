import { isNodeId } from '../../../shared/ids.js';
import type { TreeNode } from '../../../domain/node.js';
import { NamespaceErrors } from '../namespace.errors.js';
import type { Operation } from '../operations.js';
import { assertBlocksHeld, validateBlockList } from './block-list.js';
import { planCreate } from './create.js';
import { planEdit } from './edit.js';
import type { Plan } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { seen } from './seen.js';

/** A new file, or a new version of one (by id, or by path onto a file the device knew). */
export async function planCommit(op: Extract<Operation, { type: 'commit' }>, p: PlanContext): Promise<Plan> {
  const contentHash = validateBlockList(op.blocks, op.size);
  const content = { blocks: op.blocks, size: op.size, contentHash, mtime: op.mtime ?? null };
  const checkBlocks = (): Promise<void> => assertBlocksHeld(p.ports, p.ctx.userId, op.blocks, op.size);
  let existing: TreeNode | null = null;
  if (op.id !== undefined) {
    if (!isNodeId(op.id)) throw NamespaceErrors.invalidId();
    existing = await p.node(op.id);
  } else {
    // By path onto a file the device knew: a new version of it. One it did not know is a
    // different file that happens to have the name (rule 10 renames the incoming one).
    const { parent, name } = await p.createTarget(op);
    const atPath = parent.deleted ? null : await p.liveChild(parent.id, name);
    if (atPath?.kind === 'file' && seen(atPath.locationSeq, atPath.locationDev, p.ctx)) existing = atPath;
  }
  if (!existing) {
    await checkBlocks();
    return planCreate(op, p, 'file', content);
  }
  if (existing.kind !== 'file') throw NamespaceErrors.notAFile();
  return planEdit(existing, content, p, 'file.commit', checkBlocks);
}
