import type { NodeKind, NodeState } from '../journal/journal.types.js';

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

/** How a journal entry names one revision of a file within its namespace: `<nodeId>:<seq>`. */
export function revisionRef(nodeId: string, seq: number): string {
  return `${nodeId}:${seq}`;
}

/** A node as it is when created at `seq` by `dev` (null: the server): no content, live. */
export function freshNode(id: string, parentId: string, name: string, kind: NodeKind, seq: number, dev: string | null): TreeNode {
  return {
    id,
    parentId,
    name,
    kind,
    size: 0,
    contentHash: null,
    blocks: [],
    mtime: null,
    deleted: false,
    deletedAt: null,
    trashRootId: null,
    rev: seq,
    createdSeq: seq,
    contentSeq: seq,
    contentDev: dev,
    locationSeq: seq,
    locationDev: dev,
    deletedSeq: 0,
    deletedDev: null,
  };
}

/** The root folder of a namespace: virtual, never stored, never moved or deleted. */
export function rootNode(ns: string): TreeNode {
  return freshNode(ns, ns, '', 'folder', 0, null);
}
