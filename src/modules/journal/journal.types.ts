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

export interface JournalEntry {
  ns: string;
  seq: number;
  at: Date;
  userId: string;
  deviceId: string | null;
  kind: OpKind;
  /** `${deviceId}:${opId}` for operations a device may retry. */
  opKey: string | null;
  /** Hash of the operation's payload, to tell a retry from a reused operation id. */
  opHash: string | null;
  /** Every node this entry changed; changes[0] is the node the operation acted on. */
  changes: NodeState[];
  /** Bytes of live file content in the namespace after this entry (for quotas). */
  usage: number;
  /** Conflicts this entry settled (each becomes a conflict record). */
  conflicts?: PlannedConflict[];
  /** Conflict records this entry resolved. */
  resolved?: { conflictId: string; resolution: string }[];
  /** Revisions (`<nodeId>:<seq>`) this entry purged (retention). */
  purgedRevisions?: string[];
}

export interface PlannedConflict {
  kind: string;
  /** The node the device's operation was about first, then the others involved. */
  nodeIds: string[];
}

export interface JournalAppended {
  ns: string;
  seq: number;
  userId: string;
  deviceId: string | null;
}
