import type { Revision, TreeNode } from '../../domain/node.js';

type Read<T> = T | Promise<T>;

/**
 * The reads of one namespace's tree, from wherever it is held: the in-memory model
 * (`NamespaceModel`, tree-model.ts) or the stored projection (`TreeRepository.source`). Every
 * read is by a key the store indexes, so it costs what it returns. Callers go through a
 * `TreeView`, which adds the walks (paths, subtrees) on top.
 */
export interface TreeSource {
  readonly ns: string;
  node(id: string): Read<TreeNode | null>;
  /** The live child with this name (NFC, case-folded). */
  liveChildByName(parentId: string, name: string): Read<TreeNode | null>;
  children(parentId: string, which: 'live' | 'all'): Read<TreeNode[]>;
  /** Live children whose folded name is after `afterKey` (null: from the start), in name order. */
  liveChildrenPage(parentId: string, afterKey: string | null, limit: number): Read<TreeNode[]>;
  /** Deleted nodes at the top of what one delete removed, newest first; those deleted before `beforeSeq` when given. */
  trashRoots(limit: number, beforeSeq: number | null): Read<TreeNode[]>;
  /** Trash roots deleted before `before` and not purged yet. */
  expiredTrashRoots(before: Date): Read<TreeNode[]>;
  /** A file's versions, newest first. */
  revisionsOf(nodeId: string): Read<Revision[]>;
  revision(nodeId: string, seq: number): Read<Revision | null>;
  /** Versions written before `before` (retention candidates). */
  revisionsBefore(before: Date): Read<Revision[]>;
  /** Whether any retained version (current, old or trashed content) uses the block. */
  referencesBlock(hash: string): Read<boolean>;
}
