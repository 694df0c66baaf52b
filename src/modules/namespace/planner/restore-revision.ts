import { NamespaceErrors } from '../namespace.errors.js';
import type { Operation } from '../operations.js';
import { planEdit } from './edit.js';
import type { Plan } from './plan.js';
import type { PlanContext } from './plan-context.js';

/** An old version becomes the current one: an edit whose content the server already holds. */
export async function planRestoreRevision(op: Extract<Operation, { type: 'restoreRevision' }>, p: PlanContext): Promise<Plan> {
  const node = await p.existing(op.id);
  if (node.kind !== 'file') throw NamespaceErrors.notAFile();
  const rev = await p.view.revision(node.id, op.revision);
  if (!rev) throw NamespaceErrors.revisionNotFound();
  return planEdit(node, { blocks: rev.blocks, size: rev.size, contentHash: rev.contentHash, mtime: rev.mtime }, p, 'revision.restore');
}
