import { Schema } from 'mongoose';

export const REFRESH_TOKEN_MODEL = 'RefreshToken';

/**
 * One refresh token. Rotation inserts the successor under an id derived from this one, so
 * the unique `_id` guarantees a token is rotated at most once — even across processes and
 * on FerretDB, whose updates are not atomic. A second use finds the slot taken: reuse.
 */
export interface RefreshTokenDoc {
  _id: string;
  userId: string;
  deviceId: string;
  secretHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export const RefreshTokenSchema = new Schema<RefreshTokenDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    deviceId: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'refresh_tokens', versionKey: false },
);
RefreshTokenSchema.index({ deviceId: 1 });
