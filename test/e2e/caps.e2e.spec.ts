import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBrokerService } from '../../src/modules/notifications/mqtt-broker.service.js';
import { MqttDevice } from '../support/mqtt-device.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

/** What one account can make the server hold: signed-in devices and MQTT connections. */
describe('per-account caps (e2e)', () => {
  let t: TestApp;
  let tcpUrl: string;
  const open: MqttDevice[] = [];
  const track = (d: MqttDevice) => (open.push(d), d);

  beforeAll(async () => {
    t = await startTestApp(
      testConfig('caps', 'fs', {
        MAX_DEVICES_PER_USER: '3',
        MQTT_MAX_CONNECTIONS_PER_USER: '2',
        AUTH_RATE_LIMIT_PER_MINUTE: '1000',
        MQTT_CONNECTS_PER_IP_PER_MINUTE: '100000',
      }),
    );
    tcpUrl = `mqtt://127.0.0.1:${t.app.get(MqttBrokerService).tcpAddress()!.port}`;
  });
  afterAll(async () => {
    await Promise.all(open.map((d) => d.end()));
    await t?.close();
  });

  it('refuses a login past MAX_DEVICES_PER_USER with 409 DEVICE_LIMIT until a device is signed out', async () => {
    const phone = await t.api.register(); // device 1
    const pc = await t.api.login(phone.email, phone.password, 'pc'); // 2
    await t.api.login(phone.email, phone.password, 'tablet'); // 3
    const refused = await t.api.post('/v1/auth/login', { email: phone.email, password: phone.password, deviceName: 'one too many', platform: 'linux' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('DEVICE_LIMIT');
    expect(refused.body.message).toMatch(/sign one out/);
    // The refusal made no device.
    expect((await t.api.get('/v1/devices', phone.tokens.accessToken)).body).toHaveLength(3);

    expect((await t.api.delete(`/v1/devices/${pc.deviceId}`, phone.tokens.accessToken)).status).toBe(204);
    const again = await t.api.post('/v1/auth/login', { email: phone.email, password: phone.password, deviceName: 'laptop', platform: 'linux' });
    expect(again.status).toBe(200);

    // Another account is not affected by this one's devices.
    expect((await t.api.login((await t.api.register()).email, 'correct horse battery', 'x')).deviceId).toBeTruthy();
  });

  it('refuses an MQTT connection past MQTT_MAX_CONNECTIONS_PER_USER with CONNACK 3; a reconnect of a connected device is not counted', async () => {
    const a = await t.api.register();
    const b = await t.api.login(a.email, a.password, 'b');
    const c = await t.api.login(a.email, a.password, 'c');
    const first = track(await MqttDevice.connect(tcpUrl, a.deviceId, a.tokens.accessToken));
    track(await MqttDevice.connect(tcpUrl, b.deviceId, b.tokens.accessToken));

    await expect(MqttDevice.connect(tcpUrl, c.deviceId, c.tokens.accessToken)).rejects.toMatchObject({ code: 3 });
    // The same device connecting again replaces its old connection: allowed at the cap.
    track(await MqttDevice.connect(tcpUrl, a.deviceId, a.tokens.accessToken));
    await first.closed(2000);
    await expect(MqttDevice.connect(tcpUrl, c.deviceId, c.tokens.accessToken)).rejects.toMatchObject({ code: 3 });

    // Another account connects freely while this one is at its cap.
    const other = await t.api.register();
    track(await MqttDevice.connect(tcpUrl, other.deviceId, other.tokens.accessToken));

    // Once a connection ends, there is room again.
    await open[1]!.end();
    await expect
      .poll(async () =>
        MqttDevice.connect(tcpUrl, c.deviceId, c.tokens.accessToken).then(
          (d) => (track(d), 0),
          (err: { code?: number }) => err.code ?? -1,
        ),
      )
      .toBe(0);
  });
});
