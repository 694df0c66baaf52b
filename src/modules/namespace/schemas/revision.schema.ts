import { Schema } from 'mongoose';
import type { Revision } from '../../../domain/node.js';

export const REVISION_MODEL = 'Revision';

/** One content version of a file (`_id` = `<ns>/<nodeId>:<seq>`), projected from the journal. */
export interface RevisionDoc extends Revision {
  _id: string;
  ns: string;
}

export const RevisionSchema = new Schema<RevisionDoc>(
  {
    _id: String,
    ns: String,
    nodeId: String,
    seq: Number,
    size: Number,
    contentHash: String,
    blocks: [String],
    mtime: Date,
    at: Date,
    deviceId: String,
  },
  { collection: 'revisions', versionKey: false },
);
RevisionSchema.index({ ns: 1, nodeId: 1 });
RevisionSchema.index({ ns: 1, blocks: 1 });
