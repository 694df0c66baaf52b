import type { TreeNode } from '../../../domain/node.js';
import type { TreeView } from '../tree-view.js';

/**
 * The nodes below `root` that the delete which removed `root` removed with it: one delete is
 * one journal entry, so they share its `deletedSeq`. A restore brings them back with it, a
 * purge ends them with it; what was deleted earlier (another seq) stays as it is.
 */
export async function deletedTogether(view: TreeView, root: TreeNode): Promise<TreeNode[]> {
  if (root.kind !== 'folder') return [];
  return view.descendants(root, (n) => n.deleted && n.deletedSeq === root.deletedSeq);
}
