import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import type { DeviceSyncStatus } from './device-sync-status.js';
import { DEVICE_SYNC_MODEL, type DeviceSyncDoc } from './schemas/device-sync.schema.js';

/** The `device_sync` collection: one document per device (`_id` = device id); seqs only rise. */
@Injectable()
export class DeviceSyncRepository implements OnModuleInit {
  private readonly docs: Collection<DeviceSyncDoc>;

  constructor(@InjectModel(DEVICE_SYNC_MODEL) private readonly model: Model<DeviceSyncDoc>) {
    this.docs = collectionOf(model);
  }

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async ofUser(userId: string): Promise<Map<string, DeviceSyncStatus>> {
    const out = new Map<string, DeviceSyncStatus>();
    for (const d of await this.docs.find({ userId }).toArray()) {
      out.set(d._id, {
        connected: d.connected,
        lastPokedSeq: d.lastPokedSeq,
        lastAckedSeq: d.lastAckedSeq,
        lastFetchedSeq: d.lastFetchedSeq,
        lastMqttSeenAt: d.lastMqttSeenAt ?? null,
      });
    }
    return out;
  }

  /** Raises the stored seqs to at least these and sets the connection state. */
  async save(deviceId: string, userId: string, s: DeviceSyncStatus): Promise<void> {
    const update = {
      $max: { lastPokedSeq: s.lastPokedSeq, lastAckedSeq: s.lastAckedSeq, lastFetchedSeq: s.lastFetchedSeq },
      $set: { userId, connected: s.connected, lastMqttSeenAt: s.lastMqttSeenAt },
    };
    try {
      await this.docs.updateOne({ _id: deviceId }, update, { upsert: true });
    } catch (err) {
      // Two processes upserting the same new device: the loser updates the winner's document.
      if (!isDuplicateKeyError(err)) throw err;
      await this.docs.updateOne({ _id: deviceId }, update);
    }
  }
}
