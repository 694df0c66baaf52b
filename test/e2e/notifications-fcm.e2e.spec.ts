import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBrokerService } from '../../src/modules/notifications/mqtt-broker.service.js';
import { PUSH_SENDER } from '../../src/modules/notifications/push/push-sender.js';
import { FakePushSender } from '../support/fake-push-sender.js';
import { MqttDevice } from '../support/mqtt-device.js';
import { RawMqtt } from '../support/raw-mqtt.js';
import { Device } from '../support/device.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** FCM wake-ups through a fake PushSender (no FCM emulator exists; the host is fixed). */
describe('FCM wake-ups (e2e, fake PushSender)', () => {
  let t: TestApp;
  const push = new FakePushSender();

  beforeAll(async () => {
    t = await startTestApp(testConfig('fcm', 'fs', { POKE_COALESCE_MS: '0', FCM_ACK_TIMEOUT_MS: '400', FCM_RETRY_BASE_MS: '50' }), {
      override: (b) => b.overrideProvider(PUSH_SENDER).useValue(push),
    });
  });
  afterAll(() => t?.close());

  async function phoneWithToken(token: string) {
    const pc = await t.api.register();
    const phone = await t.api.login(pc.email, pc.password, 'phone', 'android');
    const setToken = await Device.of(t.api, phone).client.call('patch', '/v1/devices/{id}', { params: { id: phone.deviceId }, json: { fcmToken: token } });
    expect(setToken.status).toBe(200);
    const writer = Device.of(t.api, pc);
    await writer.latest();
    return { pc, phone, writer, userId: pc.user.id };
  }

  it('wakes a disconnected device exactly once until it fetches', async () => {
    const { phone, writer, userId } = await phoneWithToken('token-asleep');
    const first = await writer.mkdir({ path: '/a' });
    await expect.poll(() => push.to('token-asleep').length).toBe(1);
    const msg = push.to('token-asleep')[0]!;
    expect(msg.data).toEqual({ type: 'sync', ns: userId, seq: String(first.body.seq) });
    expect(msg.collapseKey).toBe(userId);
    expect(msg.platform).toBe('android');
    expect(msg.ttlSeconds).toBeGreaterThan(0);

    await writer.mkdir({ path: '/b' });
    await writer.mkdir({ path: '/c' });
    await settle(300);
    expect(push.to('token-asleep')).toHaveLength(1); // one outstanding wake-up, no more

    await Device.of(t.api, phone).sync(); // the phone woke up and fetched
    await writer.mkdir({ path: '/d' });
    await expect.poll(() => push.to('token-asleep').length).toBe(2);
  });

  it('sends nothing to a connected device that acknowledges the poke', async () => {
    const { phone, writer, userId } = await phoneWithToken('token-awake');
    const url = `mqtt://127.0.0.1:${t.app.get(MqttBrokerService).tcpAddress()!.port}`;
    const mqtt = await MqttDevice.connect(url, phone.deviceId, phone.tokens.accessToken);
    await mqtt.subscribe([`sync/v1/u/${userId}`]);
    const made = await writer.mkdir({ path: '/x' });
    await mqtt.waitFor((m) => m.seq === made.body.seq);
    await settle(800); // past FCM_ACK_TIMEOUT_MS
    expect(push.to('token-awake')).toHaveLength(0);
    await mqtt.end();
  });

  it('wakes a connected device that does not acknowledge in time', async () => {
    const { phone, writer, userId } = await phoneWithToken('token-stuck');
    // A device that receives pokes but never sends PUBACK.
    const raw = await RawMqtt.open(t.app.get(MqttBrokerService).tcpAddress()!.port);
    raw.connect(phone.deviceId, phone.tokens.accessToken);
    raw.subscribe([`sync/v1/u/${userId}`]);
    await raw.waitFor((p) => p.cmd === 'suback');
    const made = await writer.mkdir({ path: '/y' });
    await raw.waitFor((p) => p.cmd === 'publish' && JSON.parse(p.payload!).seq === made.body.seq);
    await expect.poll(() => push.to('token-stuck').length, { timeout: 3000 }).toBe(1);
    raw.close();
  });

  it('removes a token FCM says is no longer registered', async () => {
    const { phone, writer } = await phoneWithToken('token-dead');
    push.answer({ kind: 'invalid-token' });
    await writer.mkdir({ path: '/z' });
    await expect
      .poll(async () => (await Device.of(t.api, phone).get('/v1/devices')).body.find((d) => d.id === phone.deviceId)!.hasPushToken)
      .toBe(false);
    expect(push.to('token-dead')).toHaveLength(1);
  });

  it('retries rate limits and server errors with backoff', async () => {
    const { writer } = await phoneWithToken('token-busy');
    push.answer({ kind: 'retry' }, { kind: 'retry' });
    await writer.mkdir({ path: '/r' });
    await expect.poll(() => push.to('token-busy').map((s) => s.result)).toEqual(['retry', 'retry', 'sent']);
  });
});
