import { Schema } from 'mongoose';
import { PLATFORMS, type Platform } from '../auth.types.js';

export const DEVICE_MODEL = 'Device';

export interface DeviceDoc {
  _id: string;
  userId: string;
  name: string;
  platform: Platform;
  createdAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  fcmToken: string | null;
}

export const DeviceSchema = new Schema<DeviceDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    platform: { type: String, enum: PLATFORMS, required: true },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    revokeReason: { type: String, default: null },
    fcmToken: { type: String, default: null },
  },
  { collection: 'devices', versionKey: false },
);
DeviceSchema.index({ userId: 1 });
