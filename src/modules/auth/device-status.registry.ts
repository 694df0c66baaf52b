import { Injectable } from '@nestjs/common';

/** How a device is keeping up, as the notifications module tracks it. */
export interface DeviceSyncStatus {
  connected: boolean;
  lastPokedSeq: number;
  lastAckedSeq: number;
  lastFetchedSeq: number;
  lastMqttSeenAt: Date | null;
}

export interface DeviceStatusProvider {
  statusOf(userId: string): Promise<Map<string, DeviceSyncStatus>>;
}

/**
 * Lets the notifications module show its per-device tracking on GET /v1/devices without the
 * auth module importing it (notifications depends on auth, not the other way round).
 */
@Injectable()
export class DeviceStatusRegistry {
  private provider: DeviceStatusProvider | undefined;

  register(provider: DeviceStatusProvider): void {
    this.provider = provider;
  }

  async statusOf(userId: string): Promise<Map<string, DeviceSyncStatus>> {
    return this.provider ? this.provider.statusOf(userId) : new Map();
  }
}
