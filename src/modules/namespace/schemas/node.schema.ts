import { Schema } from 'mongoose';
import type { NodeState } from '../../../domain/node.js';

export const NODE_MODEL = 'Node';

/**
 * The current state of one file or folder: a projection of the journal, rebuilt by folding
 * it. `_id` is `<ns>/<id>` (ids are unique within a namespace only). `nameKey` is
 * `<ns>/<parentId>/<folded name>` while live and `~<_id>` once deleted, so the
 * unique index guards names among live siblings only (FerretDB has no partial indexes).
 * `projSeq` is the journal entry that last wrote the document; an older entry never
 * overwrites a newer one.
 */
export interface NodeDoc extends Omit<NodeState, 'path'> {
  _id: string;
  ns: string;
  nameKey: string;
  projSeq: number;
}

export const NodeSchema = new Schema<NodeDoc>(
  {
    _id: String,
    ns: String,
    id: String,
    parentId: String,
    name: String,
    nameKey: String,
    kind: String,
    size: Number,
    contentHash: String,
    blocks: [String],
    mtime: Date,
    deleted: Boolean,
    deletedAt: Date,
    trashRootId: String,
    rev: Number,
    createdSeq: Number,
    contentSeq: Number,
    contentDev: String,
    locationSeq: Number,
    locationDev: String,
    deletedSeq: Number,
    deletedDev: String,
    purged: Boolean,
    projSeq: Number,
  },
  { collection: 'nodes', versionKey: false },
);
NodeSchema.index({ nameKey: 1 }, { unique: true });
NodeSchema.index({ ns: 1, parentId: 1 });
NodeSchema.index({ ns: 1, deleted: 1 });

export const NAME_MODEL = 'NodeName';

/**
 * A name index by `_id` (`<ns>/<parentId>/<folded name>` → node id), because FerretDB answers only
 * `_id` equality without scanning. It is a hint: written before the node on every
 * application, never deleted, and checked against the node on every read, so a stale entry
 * (the node moved on) reads as "free" and a missing one cannot exist for a live node.
 */
export interface NameDoc {
  _id: string;
  nodeId: string;
}

export const NameSchema = new Schema<NameDoc>({ _id: String, nodeId: String }, { collection: 'node_names', versionKey: false });
