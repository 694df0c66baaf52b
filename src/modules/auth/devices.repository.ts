import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { Device } from './auth.types.js';
import { DEVICE_MODEL, type DeviceDoc } from './schemas/device.schema.js';

function toDevice(d: DeviceDoc): Device {
  return {
    id: d._id,
    userId: d.userId,
    name: d.name,
    platform: d.platform,
    createdAt: d.createdAt,
    lastSeenAt: d.lastSeenAt,
    revokedAt: d.revokedAt ?? null,
    revokeReason: d.revokeReason ?? null,
    fcmToken: d.fcmToken ?? null,
  };
}

@Injectable()
export class DevicesRepository implements OnModuleInit {
  constructor(@InjectModel(DEVICE_MODEL) private readonly model: Model<DeviceDoc>) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async insert(device: Device): Promise<Device> {
    // A new device has had nothing applied: its op-id watermark starts below every opId.
    await this.model.create({ ...device, _id: device.id, opIdsUpTo: '' });
    return device;
  }

  /** The device's op-id watermark (see DeviceDoc.opIdsUpTo); null when it has none. */
  async opIdsUpTo(id: string): Promise<string | null> {
    const d = await this.model.findById(id, { opIdsUpTo: 1 }).lean<Pick<DeviceDoc, 'opIdsUpTo'>>().exec();
    return typeof d?.opIdsUpTo === 'string' ? d.opIdsUpTo : null;
  }

  /** Raises the watermark to at least `opId` (never lowers it; a device without one keeps none). */
  async raiseOpIdsUpTo(id: string, opId: string): Promise<void> {
    await this.model.updateOne({ _id: id, opIdsUpTo: { $type: 'string' } }, { $max: { opIdsUpTo: opId } }).exec();
  }

  async findById(id: string): Promise<Device | null> {
    const d = await this.model.findById(id).lean<DeviceDoc>().exec();
    return d ? toDevice(d) : null;
  }

  async listByUser(userId: string): Promise<Device[]> {
    const docs = await this.model.find({ userId }).lean<DeviceDoc[]>().exec();
    return docs.map(toDevice).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  /** Devices of the user that are not signed out. */
  async countActive(userId: string): Promise<number> {
    return this.model.countDocuments({ userId, revokedAt: null }).exec();
  }

  async update(id: string, patch: Partial<Pick<Device, 'name' | 'fcmToken' | 'lastSeenAt'>>): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: patch }).exec();
  }

  /** Idempotent; the first reason recorded wins. */
  async revoke(id: string, at: Date, reason: string): Promise<void> {
    await this.model.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: at, revokeReason: reason } }).exec();
  }
}
