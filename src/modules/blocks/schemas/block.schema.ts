import { Schema } from 'mongoose';

export const BLOCK_MODEL = 'Block';
export const USER_BLOCK_MODEL = 'UserBlock';

/** A block stored in the blob store, once for everybody. `_id` is its SHA-256. */
export interface BlockDoc {
  _id: string;
  size: number;
  createdAt: Date;
}

/**
 * Proof that a user uploaded a block's bytes (`_id` = `<userId>:<hash>`). Only blocks a user
 * holds here may appear in that user's commits: knowing a hash is not enough.
 */
export interface UserBlockDoc {
  _id: string;
  userId: string;
  hash: string;
  size: number;
  createdAt: Date;
}

export const BlockSchema = new Schema<BlockDoc>(
  { _id: { type: String, required: true }, size: { type: Number, required: true }, createdAt: { type: Date, required: true } },
  { collection: 'blocks', versionKey: false },
);

export const UserBlockSchema = new Schema<UserBlockDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    hash: { type: String, required: true },
    size: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'user_blocks', versionKey: false },
);
UserBlockSchema.index({ userId: 1 });
UserBlockSchema.index({ hash: 1 });

export const SWEEP_MODEL = 'BlockSweep';

/**
 * A block garbage collection intends to delete (`_id` = hash), with the collector's token.
 * A commit treats a marked block as missing, an upload of it cancels the mark, and the
 * collector deletes only blocks whose mark it can still claim after its fence.
 */
export interface SweepDoc {
  _id: string;
  token: string;
  at: Date;
}

export const SweepSchema = new Schema<SweepDoc>({ _id: String, token: String, at: Date }, { collection: 'block_sweeps', versionKey: false });
