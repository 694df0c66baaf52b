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
  /**
   * Every operation this device had applied has an opId ≤ this (string order), so a newer one
   * cannot be a retry and needs no look-up of its record (SyncWriter). Absent on devices made
   * before it existed: each of their operations is looked up.
   */
  opIdsUpTo?: string;
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
    opIdsUpTo: { type: String },
  },
  { collection: 'devices', versionKey: false },
);
DeviceSchema.index({ userId: 1 });
