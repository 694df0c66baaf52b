import type { NodeState } from '../journal/journal.types.js';

/** A node as the projection holds it: the journal state without its recorded path. */
export type TreeNode = Omit<NodeState, 'path'>;

export interface Revision {
  nodeId: string;
  seq: number;
  size: number;
  contentHash: string;
  blocks: string[];
  mtime: Date | null;
  at: Date;
  deviceId: string | null;
}

/** The root folder of a namespace: virtual, never stored, never moved or deleted. */
export function rootNode(ns: string): TreeNode {
  return {
    id: ns,
    parentId: ns,
    name: '',
    kind: 'folder',
    size: 0,
    contentHash: null,
    blocks: [],
    mtime: null,
    deleted: false,
    deletedAt: null,
    trashRootId: null,
    rev: 0,
    createdSeq: 0,
    contentSeq: 0,
    contentDev: null,
    locationSeq: 0,
    locationDev: null,
    deletedSeq: 0,
    deletedDev: null,
  };
}
