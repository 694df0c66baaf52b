import { Schema } from 'mongoose';
import { ROLES } from '../auth.types.js';

export const USER_MODEL = 'User';

export interface UserDoc {
  _id: string;
  email: string;
  passwordHash: string;
  role: (typeof ROLES)[number];
  disabled: boolean;
  quotaBytes: number;
  createdAt: Date;
}

export const UserSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true, default: 'user' },
    disabled: { type: Boolean, required: true, default: false },
    quotaBytes: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false },
);
// The unique index is what makes two concurrent registrations of one email safe.
UserSchema.index({ email: 1 }, { unique: true });
