import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBrokerService } from '../../src/modules/notifications/mqtt-broker.service.js';
import { MqttDevice } from '../support/mqtt-device.js';
import type { BatchOp, SessionInfo } from '../../client/src/sdk/types.js';
import { Device } from '../support/device.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

const run = promisify(execFile);
const userTopic = (u: string) => `sync/v1/u/${u}`;
const deviceTopic = (d: string) => `sync/v1/d/${d}`;

describe('MQTT pokes (e2e: mqtt.js over TCP and WebSocket, mosquitto_sub)', () => {
  let t: TestApp;
  let tcpUrl: string;
  let wsUrl: string;
  let port: number;
  const open: MqttDevice[] = [];
  const track = (d: MqttDevice) => (open.push(d), d);

  beforeAll(async () => {
    t = await startTestApp(testConfig('mqtt', 'fs', { POKE_COALESCE_MS: '100', MQTT_CONNECTS_PER_IP_PER_MINUTE: '100000' }));
    port = t.app.get(MqttBrokerService).tcpAddress()!.port;
    tcpUrl = `mqtt://127.0.0.1:${port}`;
    wsUrl = `${t.url.replace('http', 'ws')}/mqtt`;
  });
  afterAll(async () => {
    await Promise.all(open.map((d) => d.end()));
    await t?.close();
  });

  /** `DELETE /v1/devices/{id}`, as `by`. */
  const revoke = (by: SessionInfo, id: string) => Device.of(t.api, by).client.call('delete', '/v1/devices/{id}', { params: { id } });

  /** An account with two devices: the phone (sync client) and the PC. */
  async function account() {
    const phone = await t.api.register();
    const pc = await t.api.login(phone.email, phone.password, 'pc', 'linux');
    return { phone, pc, userId: phone.user.id };
  }

  it.each(['tcp', 'ws'] as const)('a commit by one device pokes the other (%s); the ack is recorded; the delta has the change', async (via) => {
    const { phone, pc, userId } = await account();
    const sub = track(await MqttDevice.connect(via === 'tcp' ? tcpUrl : wsUrl, pc.deviceId, pc.tokens.accessToken));
    expect(await sub.subscribe([userTopic(userId), deviceTopic(pc.deviceId)])).toEqual([1, 1]);
    // On subscribing, the device learns the current seq on its own topic.
    await sub.waitFor((m) => m.topic === deviceTopic(pc.deviceId) && m.seq === 0);

    const writer = Device.of(t.api, phone);
    await writer.latest();
    const made = await writer.mkdir({ path: '/poked' });
    expect(made.status).toBe(201);
    const poke = await sub.waitFor((m) => m.topic === userTopic(userId) && m.seq === made.body.seq);
    expect(poke.ns).toBe(userId);

    // The PUBACK is the ack; the devices list shows it (and the poke) for the PC.
    await expect.poll(async () => {
      const list = await Device.of(t.api, phone).get('/v1/devices');
      return list.body.find((d) => d.id === pc.deviceId)!.sync;
    }).toMatchObject({ connected: true, lastPokedSeq: made.body.seq, lastAckedSeq: made.body.seq });

    const reader = Device.of(t.api, pc);
    const entries = await reader.sync();
    expect(entries.map((e) => e.path)).toContain('/poked');
    await reader.sync(); // reading from the new cursor acks everything up to it
    await expect.poll(async () => {
      const list = await reader.get('/v1/devices');
      return list.body.find((d) => d.id === pc.deviceId)!.sync.lastFetchedSeq;
    }).toBe(made.body.seq);
  });

  it('works with mosquitto_sub from mosquitto-clients', async () => {
    const { phone, pc, userId } = await account();
    const sub = spawn('mosquitto_sub', [
      '-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-i', pc.deviceId, '-u', 'device', '-P', pc.tokens.accessToken,
      '-q', '1', '-t', userTopic(userId), '-C', '1', '-W', '10',
    ]);
    let out = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => sub.once('exit', resolve));
    // Wait until the broker has the subscription, then commit.
    const pcDevice = Device.of(t.api, pc);
    await expect.poll(async () => (await pcDevice.get('/v1/devices')).body.find((d) => d.id === pc.deviceId)!.sync.connected).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const writer = Device.of(t.api, phone);
    await writer.latest();
    const made = await writer.mkdir({ path: '/from-mosquitto' });
    expect(await exited).toBe(0);
    expect(JSON.parse(out)).toEqual({ ns: userId, seq: made.body.seq });
  });

  it('refuses mosquitto_sub with a wrong password', async () => {
    const { pc } = await account();
    const res = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-i', pc.deviceId, '-u', 'x', '-P', 'not-a-token', '-t', 'x', '-C', '1', '-W', '5']).catch((e: { code: number; stderr: string }) => e);
    expect((res as { code: number }).code).not.toBe(0);
    expect((res as { stderr: string }).stderr).toMatch(/not authori[sz]ed|bad user name or password|refused/i);
  });

  describe('authentication', () => {
    it.each([
      ['garbage token', (pc: SessionInfo) => ({ id: pc.deviceId, token: 'garbage' }), 4],
      ['another device’s id as clientId', (pc: SessionInfo, phone: SessionInfo) => ({ id: phone.deviceId, token: pc.tokens.accessToken }), 2],
    ])('refuses %s', async (_n, pick, rc) => {
      const { phone, pc } = await account();
      const { id, token } = pick(pc, phone);
      await expect(MqttDevice.connect(tcpUrl, id, token)).rejects.toMatchObject({ code: rc });
    });

    it.each([
      ['over the limit', 1201],
      ['of 0 (none)', 0],
    ])('refuses a keepalive %s with CONNACK 5, a 3.1.1 code; 1,200 s is accepted', async (_n, keepalive) => {
      const { pc } = await account();
      const refused = await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken, { keepalive }).then(
        (d) => (d.client.end(true), null),
        (err: { code?: number }) => err,
      );
      expect(refused).toMatchObject({ code: 5 });
      const ok = await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken, { keepalive: 1200 });
      ok.client.end(true);
    });

    it('refuses an expired token, and a revoked device', async () => {
      const { phone, pc, userId } = await account();
      const expired = jwt.sign({ sub: userId, did: pc.deviceId, typ: 'access', exp: Math.floor(Date.now() / 1000) - 5 }, t.config.auth.jwtSecret);
      await expect(MqttDevice.connect(tcpUrl, pc.deviceId, expired)).rejects.toMatchObject({ code: 4 });
      expect((await revoke(phone, pc.deviceId)).status).toBe(204);
      await expect(MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken)).rejects.toMatchObject({ code: 5 });
    });

    it('closes the connection when the token expires', async () => {
      const { pc, userId } = await account();
      const short = jwt.sign({ sub: userId, did: pc.deviceId, typ: 'access', exp: Math.floor(Date.now() / 1000) + 2 }, t.config.auth.jwtSecret);
      const d = track(await MqttDevice.connect(tcpUrl, pc.deviceId, short));
      await d.closed(6000);
    });

    it('kicks a device the moment it is revoked', async () => {
      const { phone, pc } = await account();
      const d = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken));
      expect((await revoke(phone, pc.deviceId)).status).toBe(204);
      await d.closed(2000);
    });

    it('turns a persistent-session request into a clean session', async () => {
      const { pc } = await account();
      const d = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken, { clean: false }));
      const again = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken, { clean: false }));
      void d;
      // No session was kept: the CONNACK of the second connection says so.
      expect((again.client as unknown as { connackPacket?: { sessionPresent: boolean } }).connackPacket?.sessionPresent ?? false).toBe(false);
    });
  });

  describe('authorization and bad input', () => {
    it('grants only the device’s own two topics', async () => {
      const { pc, userId } = await account();
      const other = await account();
      const d = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken));
      const topics = ['#', '+/v1/u/' + userId, 'sync/v1/u/+', userTopic(other.userId), deviceTopic(other.pc.deviceId), '$SYS/#', 'sync/v1/#', userTopic(userId)];
      expect(await d.subscribe(topics)).toEqual([128, 128, 128, 128, 128, 128, 128, 1]);
    });

    it('never lets another user’s poke reach a device', async () => {
      const a = await account();
      const b = await account();
      const d = track(await MqttDevice.connect(tcpUrl, a.pc.deviceId, a.pc.tokens.accessToken));
      await d.subscribe([userTopic(a.userId), userTopic(b.userId), '#']);
      const writer = Device.of(t.api, b.phone);
      await writer.latest();
      await writer.mkdir({ path: '/secret' });
      const own = Device.of(t.api, a.phone);
      await own.latest();
      const mine = await own.mkdir({ path: '/mine' });
      await d.waitFor((m) => m.topic === userTopic(a.userId) && m.seq === mine.body.seq);
      expect(d.messages.every((m) => m.topic === userTopic(a.userId) || m.topic === deviceTopic(a.pc.deviceId))).toBe(true);
    });

    it('closes a device that publishes', async () => {
      const { pc, userId } = await account();
      const d = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken));
      d.client.publish(userTopic(userId), JSON.stringify({ ns: userId, seq: 999 }), { qos: 1 });
      await d.closed(3000);
    });

    it('closes a connection that sends garbage before CONNECT, and keeps serving others', async () => {
      const { pc, phone, userId } = await account();
      const good = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken));
      await good.subscribe([userTopic(userId)]);
      const closedGarbage = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')));
        s.on('close', () => resolve(true));
        s.on('error', () => undefined);
        setTimeout(() => resolve(false), 3000);
      });
      expect(closedGarbage).toBe(true);
      const writer = Device.of(t.api, phone);
      await writer.latest();
      const made = await writer.mkdir({ path: '/still-served' });
      await good.waitFor((m) => m.seq === made.body.seq);
    });

    it('closes a connection that announces an oversized packet', async () => {
      const closed = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          // A CONNECT fixed header announcing 1 MiB.
          s.write(Buffer.from([0x10, 0x80, 0x80, 0x40]));
        });
        s.on('close', () => resolve(true));
        s.on('error', () => undefined);
        setTimeout(() => resolve(false), 3000);
      });
      expect(closed).toBe(true);
    });

    it('refuses a subscription to a topic deeper than any real one', async () => {
      const { pc } = await account();
      const d = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken));
      const deep = Array.from({ length: 50 }, (_, i) => `l${i}`).join('/');
      const granted = await d.subscribe([deep]).catch(() => [128]);
      expect(granted).toEqual([128]);
    });

    it('refuses a second connection with the same clientId from another user’s token, and keeps the first', async () => {
      const a = await account();
      const b = await account();
      const first = track(await MqttDevice.connect(tcpUrl, a.pc.deviceId, a.pc.tokens.accessToken));
      await first.subscribe([userTopic(a.userId)]);
      await expect(MqttDevice.connect(tcpUrl, a.pc.deviceId, b.pc.tokens.accessToken)).rejects.toMatchObject({ code: 2 });
      const writer = Device.of(t.api, a.phone);
      await writer.latest();
      const made = await writer.mkdir({ path: '/first-still-here' });
      await first.waitFor((m) => m.seq === made.body.seq);
    });
  });

  it('coalesces a burst of commits into a few pokes, the last carrying the latest seq', async () => {
    const { phone, pc, userId } = await account();
    const d = track(await MqttDevice.connect(tcpUrl, pc.deviceId, pc.tokens.accessToken));
    await d.subscribe([userTopic(userId)]);
    const writer = Device.of(t.api, phone);
    await writer.latest();
    const ops = Array.from({ length: 60 }, (_, i): BatchOp => ({ type: 'createFolder', path: `/burst-${i}`, baseCursor: writer.cursor }));
    const started = performance.now();
    const res = await writer.batch(ops);
    const elapsed = performance.now() - started;
    const last = Math.max(...res.body.results.map((r) => r.result!.seq!));
    await d.waitFor((m) => m.topic === userTopic(userId) && m.seq === last);
    const pokes = d.messages.filter((m) => m.topic === userTopic(userId));
    // One poke per 100 ms window at most (+ the leading one and the trailing one).
    expect(pokes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(pokes.length).toBeLessThan(60);
    expect(pokes[pokes.length - 1]!.seq).toBe(last);
  });
});

describe('MQTT connect rate limit (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(testConfig('mqttrate', 'fs', { MQTT_CONNECTS_PER_IP_PER_MINUTE: '20', MQTT_WS_ENABLED: 'false' }));
  });
  afterAll(() => t?.close());

  it('refuses a reconnect storm from one address and keeps serving the connected device', async () => {
    const phone = await t.api.register();
    const pc = await t.api.login(phone.email, phone.password, 'pc', 'linux');
    const url = `mqtt://127.0.0.1:${t.app.get(MqttBrokerService).tcpAddress()!.port}`;
    const good = await MqttDevice.connect(url, pc.deviceId, pc.tokens.accessToken);
    await good.subscribe([userTopic(phone.user.id)]);
    const storm = await Promise.allSettled(
      Array.from({ length: 200 }, () => MqttDevice.connect(url, phone.deviceId, phone.tokens.accessToken, { connectTimeout: 3000 })),
    );
    const accepted = storm.filter((s) => s.status === 'fulfilled');
    expect(accepted.length).toBeLessThanOrEqual(20);
    expect(storm.length - accepted.length).toBeGreaterThanOrEqual(180);
    await Promise.all(accepted.map((s) => (s).value.end()));
    const writer = Device.of(t.api, phone);
    await writer.latest();
    const made = await writer.mkdir({ path: '/after-the-storm' });
    await good.waitFor((m) => m.seq === made.body.seq);
    await good.end();
  });
});
