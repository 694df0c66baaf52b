import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Client } from 'aedes';
import { ConnectRateLimiter } from '../../src/infra/mqtt/connect-rate-limiter.js';
import { MqttFrameGuard } from '../../src/infra/mqtt/frame-guard.js';
import { clientIp } from '../../src/infra/mqtt/mqtt-listeners.js';
import { InflightPokes } from '../../src/modules/notifications/inflight-pokes.js';
import { MqttSessions } from '../../src/modules/notifications/mqtt-sessions.js';
import { deviceTopic, maySubscribe, parsePoke, userTopic } from '../../src/modules/notifications/mqtt-topics.js';

const ada = { userId: 'u-ada', deviceId: 'd-phone' };

describe('mqtt topics: a device may use its own two topics, nothing else', () => {
  it.each([
    [userTopic('u-ada'), true],
    [deviceTopic('d-phone'), true],
    [userTopic('u-bob'), false],
    [deviceTopic('d-other'), false],
    ['sync/v1/u/+', false],
    ['sync/v1/#', false],
    ['#', false],
    ['$SYS/broker/clients', false],
    [`${userTopic('u-ada')}/x`, false],
  ])('%s → %s', (topic, allowed) => {
    expect(maySubscribe(ada, topic)).toBe(allowed);
  });

  it.each([
    ['{"ns":"n","seq":4}', { ns: 'n', seq: 4 }],
    ['{"ns":"n","seq":4.5}', null],
    ['{"ns":1,"seq":4}', null],
    ['not json', null],
  ])('poke payload %s', (payload, poke) => {
    expect(parsePoke(payload)).toEqual(poke);
  });
});

describe('InflightPokes: PUBACKs settle the oldest delivery', () => {
  it('acks come back in delivery order; a non-poke holds its place', () => {
    const f = new InflightPokes();
    f.forwarded(3);
    f.forwarded(null);
    f.forwarded(5);
    expect([f.acked(), f.acked(), f.acked(), f.acked()]).toEqual([3, null, 5, null]);
  });

  it('keeps the newest 64 when a device never acks', () => {
    const f = new InflightPokes();
    for (let seq = 1; seq <= 100; seq++) f.forwarded(seq);
    expect(f.acked()).toBe(37);
  });
});

/** An Aedes client as far as MqttSessions uses it: it can be closed, and counts how often. */
function fakeClient(): Client & { closes: number } {
  const c = { closes: 0, close: () => void c.closes++ };
  return c as unknown as Client & { closes: number };
}

describe('MqttSessions: one live connection per device', () => {
  const later = Date.now() + 60_000;

  it('a newer connection of the device closes the older, and only the live one disconnects it', () => {
    const s = new MqttSessions();
    const old = fakeClient();
    const fresh = fakeClient();
    s.open(old, ada, later);
    s.ready(old, s.of(old)!);
    s.open(fresh, ada, later);
    s.ready(fresh, s.of(fresh)!);
    expect(old.closes).toBe(1);
    expect(s.forget(old)).toBeNull();
    expect(s.clientOf(ada.deviceId)).toBe(fresh);
    expect(s.forget(fresh)).toEqual(ada);
    expect(s.clientOf(ada.deviceId)).toBeUndefined();
    expect(s.devicesOf(ada.userId)).toEqual([]);
  });

  it('counts the other devices of the user, not the one reconnecting', () => {
    const s = new MqttSessions();
    for (const deviceId of ['d-phone', 'd-pc']) {
      const c = fakeClient();
      s.open(c, { userId: 'u-ada', deviceId }, later);
      s.ready(c, s.of(c)!);
    }
    expect(s.otherDevicesConnected(ada)).toBe(1);
    expect(s.otherDevicesConnected({ userId: 'u-ada', deviceId: 'd-tablet' })).toBe(2);
    expect(s.otherDevicesConnected({ userId: 'u-bob', deviceId: 'd-x' })).toBe(0);
  });

  it('closes the connection when its token expires', async () => {
    const s = new MqttSessions();
    const c = fakeClient();
    s.open(c, ada, Date.now() + 20);
    await new Promise((r) => setTimeout(r, 60));
    expect(c.closes).toBe(1);
  });
});

describe('MQTT transport', () => {
  const req = (xff: string | undefined): IncomingMessage =>
    ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: '10.0.0.9' } }) as unknown as IncomingMessage;

  it.each([
    [true, '203.0.113.7, 10.0.0.1', '203.0.113.7'],
    [true, undefined, '10.0.0.9'],
    [false, '203.0.113.7', '10.0.0.9'],
  ])('trustProxy=%s, X-Forwarded-For %s → %s', (trust, xff, ip) => {
    expect(clientIp(req(xff), trust)).toBe(ip);
  });

  it('the connect limiter refills per minute, per IP', () => {
    let now = 0;
    const l = new ConnectRateLimiter(2, () => now);
    expect([l.take('a'), l.take('a'), l.take('a'), l.take('b')]).toEqual([true, true, false, true]);
    now = 30_000;
    expect([l.take('a'), l.take('a')]).toEqual([true, false]);
  });

  const feed = (guard: MqttFrameGuard, bytes: number[]): Promise<Error | null> =>
    new Promise((resolve) => guard.write(Buffer.from(bytes), (err) => resolve(err ?? null)));

  it('the frame guard passes packets within the limit, across chunks', async () => {
    const guard = new MqttFrameGuard(10);
    guard.resume();
    expect(await feed(guard, [0x30, 0x03, 1])).toBeNull(); // PUBLISH, 3 bytes, split
    expect(await feed(guard, [2, 3, 0xc0, 0x00])).toBeNull(); // its rest, then PINGREQ
  });

  it('the frame guard refuses a packet announcing more than the limit, and a 5-byte length', async () => {
    const guard = new MqttFrameGuard(100);
    guard.on('error', () => {});
    expect((await feed(guard, [0x30, 0xe5, 0x01]))?.message).toMatch(/over 100 bytes/); // 229
    const malformed = new MqttFrameGuard(Number.MAX_SAFE_INTEGER);
    malformed.on('error', () => {});
    expect((await feed(malformed, [0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))?.message).toMatch(/malformed/);
  });
});
