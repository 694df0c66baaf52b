import type { NodeState, TreeNode } from '../../../domain/node.js';
import { ConflictsErrors } from '../conflicts/conflicts.errors.js';
import type { Plan, ResolvableConflict } from './plan.js';
import type { PlanContext } from './plan-context.js';

/**
 * Resolving a conflict is an ordinary write. Edit/edit: keep mine (the conflicted copy's
 * content becomes the file's, the copy goes to the trash), keep theirs (the copy goes to the
 * trash) or keep both; every other kind is acknowledged.
 */
export async function planResolution(conflict: ResolvableConflict, resolution: string, p: PlanContext): Promise<Plan> {
  const allowed = conflict.kind === 'EDIT_EDIT' ? (['keepMine', 'keepTheirs', 'keepBoth'] as const) : (['acknowledge'] as const);
  if (!(allowed as readonly string[]).includes(resolution)) throw ConflictsErrors.resolutionNotApplicable(conflict.kind, allowed);
  const [nodeId, copyId] = conflict.nodeIds;
  const node = nodeId ? await p.node(nodeId) : null;
  const copy = copyId ? await p.node(copyId) : null;
  let usage = 0;
  if (resolution === 'keepMine' && node && copy) {
    const content = { size: copy.size, contentHash: copy.contentHash, blocks: copy.blocks, mtime: copy.mtime };
    // Mine comes back where it was, with the deleted folders above it, as an edit would (rule 2).
    const place: Partial<NodeState> = node.deleted ? await p.reviveInPlace(node) : {};
    p.change(node, { ...content, contentSeq: p.seq, contentDev: p.ctx.deviceId, ...place });
    usage += copy.size - (node.deleted ? 0 : node.size);
    usage -= p.trash(copy);
  } else if (resolution === 'keepTheirs' && copy) {
    usage -= p.trash(copy);
  }
  const about: TreeNode | null = node ?? copy;
  if (about) p.touch(about);
  const plan = await p.write('conflict.resolve', usage, about?.id);
  if (plan.kind === 'write') plan.resolved = [{ conflictId: conflict.id, resolution }];
  return plan;
}
