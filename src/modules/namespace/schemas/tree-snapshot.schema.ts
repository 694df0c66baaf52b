import { Schema } from 'mongoose';
import type { Revision, TreeNode } from '../../../domain/node.js';

export const TREE_SNAPSHOT_MODEL = 'TreeSnapshot';

/**
 * A namespace's tree at one seq, to load its in-memory model without folding the whole
 * journal. The head (`_id` = the namespace) names the newest snapshot; its chunks
 * (`<ns>@<seq>#<n>`) hold the nodes and revisions. Everything is read by `_id`.
 */
export interface TreeSnapshotDoc {
  _id: string;
  /** Head: the snapshot's seq and how many chunks it has. */
  seq?: number;
  chunks?: number;
  at?: Date;
  /** Chunk: a slice of the nodes and of the revisions. */
  nodes?: TreeNode[];
  revisions?: Revision[];
}

export const TreeSnapshotSchema = new Schema<TreeSnapshotDoc>(
  { _id: String, seq: Number, chunks: Number, at: Date, nodes: [Schema.Types.Mixed], revisions: [Schema.Types.Mixed] },
  { collection: 'tree_snapshots', versionKey: false },
);
