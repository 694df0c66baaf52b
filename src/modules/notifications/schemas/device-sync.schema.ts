import { Schema } from 'mongoose';

export const DEVICE_SYNC_MODEL = 'DeviceSync';

/** How far a device has caught up (`_id` = device id). Seqs only ever rise. */
export interface DeviceSyncDoc {
  _id: string;
  userId: string;
  lastPokedSeq: number;
  lastAckedSeq: number;
  lastFetchedSeq: number;
  connected: boolean;
  lastMqttSeenAt: Date | null;
}

export const DeviceSyncSchema = new Schema<DeviceSyncDoc>(
  {
    _id: String,
    userId: String,
    lastPokedSeq: Number,
    lastAckedSeq: Number,
    lastFetchedSeq: Number,
    connected: Boolean,
    lastMqttSeenAt: Date,
  },
  { collection: 'device_sync', versionKey: false },
);
DeviceSyncSchema.index({ userId: 1 });
