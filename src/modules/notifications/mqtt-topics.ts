/**
 * The MQTT topics and who may use them. Pure functions, so the rules are tested as a table.
 *
 *   sync/v1/u/<userId>    pokes for every device of the user: {"ns": "...", "seq": 42}
 *   sync/v1/d/<deviceId>  messages for one device: the current seq on subscribe, conflict notices
 */
export const userTopic = (userId: string): string => `sync/v1/u/${userId}`;
export const deviceTopic = (deviceId: string): string => `sync/v1/d/${deviceId}`;

export interface MqttIdentity {
  userId: string;
  deviceId: string;
}

/** A device may subscribe to exactly its user's topic and its own device topic: no wildcards, no $SYS. */
export function maySubscribe(who: MqttIdentity, topic: string): boolean {
  return topic === userTopic(who.userId) || topic === deviceTopic(who.deviceId);
}

/** The last check before a message reaches a device: only its own topics, ever. */
export function mayReceive(who: MqttIdentity, topic: string): boolean {
  return maySubscribe(who, topic);
}

/** The `{ns, seq}` of a poke payload, or null. */
export function parsePoke(payload: Buffer | string): { ns: string; seq: number } | null {
  try {
    const p = JSON.parse(payload.toString()) as { ns?: unknown; seq?: unknown };
    return typeof p.ns === 'string' && Number.isSafeInteger(p.seq) ? { ns: p.ns, seq: p.seq as number } : null;
  } catch {
    return null;
  }
}
