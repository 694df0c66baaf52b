import { Injectable } from '@nestjs/common';
import type { AuthContext, Device } from '../auth/auth.types.js';
import { DevicesService } from '../auth/devices.service.js';
import { NEVER_SYNCED, type DeviceSyncStatus } from '../notifications/device-sync-status.js';
import { DeviceSyncService } from '../notifications/device-sync.service.js';
import type { DeviceDto, UpdateDeviceDto } from './dto/device.dto.js';

/** A device with how far it has caught up, as GET /v1/devices and the admin API show it. */
export interface DeviceWithSync {
  device: Device;
  sync: DeviceSyncStatus;
}

export function toDeviceDto({ device: d, sync }: DeviceWithSync, currentDeviceId: string): DeviceDto {
  return {
    id: d.id,
    name: d.name,
    platform: d.platform,
    createdAt: d.createdAt,
    lastSeenAt: d.lastSeenAt,
    current: d.id === currentDeviceId,
    revokedAt: d.revokedAt,
    hasPushToken: d.fcmToken !== null,
    sync,
  };
}

/**
 * The device records (auth) joined with their sync tracking (notifications): this module
 * depends on both, so neither has to know the other.
 */
@Injectable()
export class DeviceListing {
  constructor(
    private readonly devices: DevicesService,
    private readonly sync: DeviceSyncService,
  ) {}

  async list(auth: AuthContext, includeRevoked = false): Promise<DeviceDto[]> {
    const [devices, sync] = await Promise.all([this.devices.list(auth, includeRevoked), this.sync.statusOf(auth.userId)]);
    return devices.map((device) => toDeviceDto({ device, sync: sync.get(device.id) ?? NEVER_SYNCED }, auth.deviceId));
  }

  async update(auth: AuthContext, id: string, dto: UpdateDeviceDto): Promise<DeviceDto> {
    const device = await this.devices.update(auth, id, dto);
    const sync = await this.sync.statusOf(auth.userId);
    return toDeviceDto({ device, sync: sync.get(id) ?? NEVER_SYNCED }, auth.deviceId);
  }

  /** Every device of an account, signed-out ones too (the admin API). */
  async ofUser(userId: string): Promise<DeviceWithSync[]> {
    const [devices, sync] = await Promise.all([this.devices.ofUser(userId), this.sync.statusOf(userId)]);
    return devices.map((device) => ({ device, sync: sync.get(device.id) ?? NEVER_SYNCED }));
  }
}
