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
