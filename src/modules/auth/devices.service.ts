import { Injectable } from '@nestjs/common';
import { AuthErrors } from './auth.errors.js';
import { AuthService } from './auth.service.js';
import type { AuthContext, Device } from './auth.types.js';
import { DevicesRepository } from './devices.repository.js';

/** What a device's owner may change about it. */
export interface DevicePatch {
  name?: string;
  fcmToken?: string | null;
}

@Injectable()
export class DevicesService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly auth: AuthService,
  ) {}

  /** The caller's devices, signed-out ones too when asked. */
  async list(auth: AuthContext, includeRevoked = false): Promise<Device[]> {
    const all = await this.devices.listByUser(auth.userId);
    return all.filter((d) => includeRevoked || !d.revokedAt);
  }

  /** Renames one of the caller's devices or sets its push token; "not found" for anyone else's. */
  async update(auth: AuthContext, id: string, change: DevicePatch): Promise<Device> {
    await this.own(auth, id);
    const patch: Parameters<DevicesRepository['update']>[1] = {};
    if (change.name !== undefined) patch.name = change.name;
    if (change.fcmToken !== undefined) patch.fcmToken = change.fcmToken;
    if (Object.keys(patch).length > 0) await this.devices.update(id, patch);
    return this.own(auth, id);
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

  /**
   * Op-id watermark of a device: every operation it had applied has an opId ≤ the answer, so
   * any greater opId is not a retry. Null: unknown (a device older than watermarks).
   */
  opIdsUpTo(id: string): Promise<string | null> {
    return this.devices.opIdsUpTo(id);
  }

  /** Raises the watermark before an operation with this opId is written (see opIdsUpTo). */
  raiseOpIdsUpTo(id: string, opId: string): Promise<void> {
    return this.devices.raiseOpIdsUpTo(id, opId);
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
