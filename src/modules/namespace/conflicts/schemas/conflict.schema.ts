import { Schema } from 'mongoose';

export const CONFLICT_MODEL = 'Conflict';

/**
 * A conflict the server settled (`_id` = `<ns>.<seq>.<n>`: the journal entry that settled it).
 * Projected from the journal like the tree, so it is written exactly once however often the
 * entry is applied.
 */
export interface ConflictDoc {
  _id: string;
  ns: string;
  userId: string;
  deviceId: string | null;
  kind: string;
  nodeIds: string[];
  opKind: string;
  seq: number;
  at: Date;
  resolvedAt: Date | null;
  resolution: string | null;
  resolvedSeq: number | null;
}

export const ConflictSchema = new Schema<ConflictDoc>(
  {
    _id: String,
    ns: String,
    userId: String,
    deviceId: String,
    kind: String,
    nodeIds: [String],
    opKind: String,
    seq: Number,
    at: Date,
    resolvedAt: Date,
    resolution: String,
    resolvedSeq: Number,
  },
  { collection: 'conflicts', versionKey: false },
);
ConflictSchema.index({ ns: 1, seq: -1 });
