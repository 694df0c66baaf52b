import { NamespaceErrors } from '../namespace.errors.js';
import type { Operation } from '../operations.js';
import type { Plan } from './plan.js';
import { sumFileSizes, validName, type PlanContext } from './plan-context.js';

/** A node back from the trash, with what the same delete removed below it; things deleted earlier stay in the trash. */
export async function planRestore(op: Extract<Operation, { type: 'restore' }>, p: PlanContext): Promise<Plan> {
  const node = await p.existing(op.id);
  if (!node.deleted) throw NamespaceErrors.notInTrash();
  if (node.purged) throw NamespaceErrors.purged();
  const parentNode = await p.node(op.parentId ?? node.parentId);
  if (parentNode?.deleted && op.parentId === undefined) throw NamespaceErrors.parentDeleted();
  const parent = await p.liveFolder(op.parentId ?? node.parentId);
  const name = await p.placeName(parent.id, op.name === undefined ? node.name : validName(op.name), node.id, op.autorename);
  const subtree = await p.restoredWith(node);
  const dev = p.ctx.deviceId;
  p.change(node, { ...p.revival(dev), parentId: parent.id, name, ...p.movedIf(node, parent.id, name, dev) });
  for (const d of subtree) p.change(d, p.revival(dev));
  await p.rerootTrash([node, ...subtree]);
  return p.write('node.restore', sumFileSizes([node, ...subtree]), node.id);
}
