/** How a device is keeping up, as the notifications module tracks it. */
export interface DeviceSyncStatus {
  connected: boolean;
  lastPokedSeq: number;
  lastAckedSeq: number;
  lastFetchedSeq: number;
  lastMqttSeenAt: Date | null;
}

export const NEVER_SYNCED: Readonly<DeviceSyncStatus> = {
  connected: false,
  lastPokedSeq: 0,
  lastAckedSeq: 0,
  lastFetchedSeq: 0,
  lastMqttSeenAt: null,
};
