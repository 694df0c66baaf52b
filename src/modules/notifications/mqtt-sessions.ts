import type { Client } from 'aedes';
import { InflightPokes } from './inflight-pokes.js';
import type { MqttIdentity } from './mqtt-topics.js';

export interface MqttSession extends MqttIdentity {
  /** Closes the connection when its access token expires. */
  expiry: NodeJS.Timeout;
  inflight: InflightPokes;
}

/**
 * Who is connected to this process: the session of each authenticated client, the one live
 * connection of each device (a newer one replaces it) and the devices of each user.
 */
export class MqttSessions {
  private readonly sessions = new WeakMap<Client, MqttSession>();
  private readonly byDevice = new Map<string, Client>();
  private readonly devicesOfUser = new Map<string, Set<string>>();

  /** Remembers an authenticated client until it disconnects or its token expires at `expiresAt` (ms). */
  open(client: Client, who: MqttIdentity, expiresAt: number): void {
    const expiry = setTimeout(() => client.close(), Math.max(0, expiresAt - Date.now()));
    expiry.unref();
    this.sessions.set(client, { ...who, expiry, inflight: new InflightPokes() });
  }

  of(client: Client): MqttSession | undefined {
    return this.sessions.get(client);
  }

  /** The client's connection is up: it becomes its device's connection, closing an older one. */
  ready(client: Client, who: MqttSession): void {
    this.byDevice.get(who.deviceId)?.close();
    this.byDevice.set(who.deviceId, client);
    let devices = this.devicesOfUser.get(who.userId);
    if (!devices) this.devicesOfUser.set(who.userId, (devices = new Set()));
    devices.add(who.deviceId);
  }

  /** Forgets a client; returns its identity when it was its device's live connection. */
  forget(client: Client): MqttIdentity | null {
    const who = this.sessions.get(client);
    if (!who) return null;
    clearTimeout(who.expiry);
    this.sessions.delete(client);
    if (this.byDevice.get(who.deviceId) !== client) return null;
    this.byDevice.delete(who.deviceId);
    const devices = this.devicesOfUser.get(who.userId);
    devices?.delete(who.deviceId);
    if (devices?.size === 0) this.devicesOfUser.delete(who.userId);
    return { userId: who.userId, deviceId: who.deviceId };
  }

  /** How many of the user's devices other than this one hold a connection here. */
  otherDevicesConnected(who: MqttIdentity): number {
    const devices = this.devicesOfUser.get(who.userId);
    return (devices?.size ?? 0) - (devices?.has(who.deviceId) ? 1 : 0);
  }

  clientOf(deviceId: string): Client | undefined {
    return this.byDevice.get(deviceId);
  }

  devicesOf(userId: string): string[] {
    return [...(this.devicesOfUser.get(userId) ?? [])];
  }
}
