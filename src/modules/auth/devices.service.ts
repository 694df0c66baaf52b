import { Injectable } from '@nestjs/common';
import { AuthErrors } from './auth.errors.js';
import { AuthService } from './auth.service.js';
import type { AuthContext, Device } from './auth.types.js';
import { DeviceStatusRegistry, type DeviceSyncStatus } from './device-status.registry.js';
import { DevicesRepository } from './devices.repository.js';
import type { DeviceDto } from './dto/auth.dto.js';
import type { UpdateDeviceDto } from './dto/device.dto.js';

const NEVER_SYNCED: DeviceSyncStatus = { connected: false, lastPokedSeq: 0, lastAckedSeq: 0, lastFetchedSeq: 0, lastMqttSeenAt: null };

export function toDeviceDto(d: Device, currentDeviceId: string, sync: DeviceSyncStatus = NEVER_SYNCED): DeviceDto {
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

@Injectable()
export class DevicesService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly auth: AuthService,
    private readonly status: DeviceStatusRegistry,
  ) {}

  async list(auth: AuthContext, includeRevoked = false): Promise<DeviceDto[]> {
    const [all, sync] = await Promise.all([this.devices.listByUser(auth.userId), this.status.statusOf(auth.userId)]);
    return all.filter((d) => includeRevoked || !d.revokedAt).map((d) => toDeviceDto(d, auth.deviceId, sync.get(d.id)));
  }

  async update(auth: AuthContext, id: string, dto: UpdateDeviceDto): Promise<DeviceDto> {
    await this.own(auth, id);
    const patch: Parameters<DevicesRepository['update']>[1] = {};
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.fcmToken !== undefined) patch.fcmToken = dto.fcmToken;
    if (Object.keys(patch).length > 0) await this.devices.update(id, patch);
    const sync = await this.status.statusOf(auth.userId);
    return toDeviceDto(await this.own(auth, id), auth.deviceId, sync.get(id));
  }

  /** Every device of the account, revoked ones too (admin, notifications). */
  ofUser(userId: string): Promise<Device[]> {
    return this.devices.listByUser(userId);
  }

  find(id: string): Promise<Device | null> {
    return this.devices.findById(id);
  }

  /** Forgets a push token the push service refused (the app registers a new one). */
  async clearPushToken(id: string): Promise<void> {
    await this.devices.update(id, { fcmToken: null });
  }

  /** A device's name for messages such as "deleted on <name>"; null for a device that is gone. */
  async nameOf(id: string): Promise<string | null> {
    return (await this.devices.findById(id))?.name ?? null;
  }

  async revoke(auth: AuthContext, id: string): Promise<void> {
    await this.own(auth, id);
    await this.auth.revokeDevice(auth.userId, id, auth.deviceId === id ? 'logout' : 'revoked-by-user');
  }

  /** The device if it is the caller's and signed in; "not found" otherwise, never "forbidden". */
  private async own(auth: AuthContext, id: string): Promise<Device> {
    const d = await this.devices.findById(id);
    if (!d || d.userId !== auth.userId || d.revokedAt) throw AuthErrors.deviceNotFound();
    return d;
  }
}
