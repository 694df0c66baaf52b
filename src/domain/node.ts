/**
 * The node model every module shares: what a file or folder is, the kinds of write that
 * change one, and a file's revisions. The journal records node states; the namespace folds
 * them into the tree; sharing, WebDAV and the web app read them. No module owns it.
 */
/** The kinds of write that append a journal entry. */
export const OP_KINDS = [
  'folder.create',
  'file.commit',
  'node.move',
  'node.delete',
  'node.restore',
  'revision.restore',
  'conflict.resolve',
  'retention.purge',
] as const;
export type OpKind = (typeof OP_KINDS)[number];

export type NodeKind = 'file' | 'folder';

/**
 * The full state of one node after a journal entry. Entries carry full states, not diffs,
 * so applying one is an idempotent upsert and the tree is a plain fold of the journal.
 */
export interface NodeState {
  id: string;
  parentId: string;
  name: string;
  /** Path at the time of the entry ("/a/b.txt"). */
  path: string;
  kind: NodeKind;
  size: number;
  /** Dropbox content hash of a file; null for folders. */
  contentHash: string | null;
  /** Block hashes of a file's content; empty for folders and empty files. */
  blocks: string[];
  mtime: Date | null;
  deleted: boolean;
  deletedAt: Date | null;
  /** For a deleted node: the node whose delete removed it (itself, or a deleted ancestor). */
  trashRootId: string | null;
  /** Seq of the node's last change of any kind. */
  rev: number;
  createdSeq: number;
  /** Per attribute: the seq of its last change and the device that made it (null: the server). */
  contentSeq: number;
  contentDev: string | null;
  locationSeq: number;
  locationDev: string | null;
  deletedSeq: number;
  deletedDev: string | null;
  /** Deleted and past trash retention: the content is gone, the tombstone stays. */
  purged?: boolean;
}

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
