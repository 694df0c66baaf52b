import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBrokerService } from '../../src/modules/notifications/mqtt-broker.service.js';
import { MqttDevice } from '../support/mqtt-device.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { RequestJson, Success } from '../../client/src/sdk/types.js';
import { Device, newDevice } from '../support/device.js';

type AdminUserPage = Success<'/v1/admin/users', 'get'>;
type UpdateUser = RequestJson<'/v1/admin/users/{id}', 'patch'>;
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

describe('admin API (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;
  /** The admin, through the SDK. */
  let root: Device;

  beforeAll(async () => {
    t = await startTestApp(testConfig('admin', 'fs', { ADMIN_EMAILS: 'root@example.com', GC_FENCE_SECONDS: '0', RETENTION_INTERVAL_MINUTES: '0' }));
    const s = await t.api.register('root@example.com');
    admin = s.tokens.accessToken;
    adminId = s.user.id;
    root = Device.of(t.api, s, 'admin');
  });
  afterAll(() => t?.close());

  const user = (id: string) => root.get('/v1/admin/users/{id}', undefined, { id });
  const updateUser = (id: string, json: UpdateUser) => root.client.call('patch', '/v1/admin/users/{id}', { params: { id }, json });
  const devicesOf = (id: string) => root.get('/v1/admin/users/{id}/devices', undefined, { id });

  const routes = (userId: string): [string, string, unknown?][] => [
    ['GET', '/v1/admin/users'],
    ['GET', `/v1/admin/users/${userId}`],
    ['PATCH', `/v1/admin/users/${userId}`, { quotaBytes: 1 }],
    ['GET', `/v1/admin/users/${userId}/devices`],
    ['GET', '/v1/admin/storage'],
    ['GET', '/v1/admin/conflicts'],
    ['POST', '/v1/admin/jobs/purge', {}],
    ['POST', '/v1/admin/jobs/gc', {}],
  ];

  it('refuses every route to a non-admin (403 ADMIN_ONLY) and to nobody (401), changing nothing', async () => {
    const account = await t.api.register();
    for (const [method, path, body] of routes(account.user.id)) {
      const asUser = await t.api.request(method, path, { token: account.tokens.accessToken, ...(body ? { body } : {}) });
      expect(asUser.status, `${method} ${path}`).toBe(403);
      expect(asUser.body.code).toBe('ADMIN_ONLY');
      const anonymous = await t.api.request(method, path, body ? { body } : {});
      expect(anonymous.status, `${method} ${path}`).toBe(401);
    }
    expect((await user(account.user.id)).body.quotaBytes).not.toBe(1);
    // The same routes answer an admin.
    for (const [method, path, body] of routes(account.user.id)) {
      const res = await t.api.request(method, path, { token: admin, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBe(200);
    }
  });

  it('lists and searches users page by page', async () => {
    const tag = randomBytes(3).toString('hex');
    for (let i = 0; i < 3; i++) await t.api.register(`${tag}-${i}@example.com`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiReply<AdminUserPage> = await root.get('/v1/admin/users', { search: tag, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.users.map((u) => u.email));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2].map((i) => `${tag}-${i}@example.com`));
    expect((await user('00000000-0000-4000-8000-000000000000')).error.code).toBe('USER_NOT_FOUND');
    expect((await root.get('/v1/admin/users', { cursor: 'garbage' })).error.code).toBe('INVALID_PAGE_CURSOR');
  });

  it('disables an account: its tokens stop and its MQTT connections close at once; enabling restores access', async () => {
    const { session, device } = await newDevice(t.api);
    const port = t.app.get(MqttBrokerService).tcpAddress()!.port;
    const mqtt = await MqttDevice.connect(`mqtt://127.0.0.1:${port}`, session.deviceId, session.tokens.accessToken);
    const res = await updateUser(session.user.id, { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body.disabled).toBe(true);
    await mqtt.closed(3000);
    const me = await device.get('/v1/me');
    expect(me.status).toBe(403);
    expect(me.error.code).toBe('ACCOUNT_DISABLED');
    expect((await t.api.post('/v1/auth/login', { email: session.email, password: session.password, deviceName: 'x', platform: 'ios' })).body.code).toBe(
      'ACCOUNT_DISABLED',
    );
    expect((await updateUser(session.user.id, { disabled: false })).status).toBe(200);
    expect((await device.get('/v1/me')).status).toBe(200);
  });

  it('refuses to let an admin disable or demote themselves', async () => {
    for (const body of [{ disabled: true }, { role: 'user' as const }]) {
      const res = await updateUser(adminId, body);
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('CANNOT_CHANGE_OWN_ACCESS');
    }
    expect((await root.get('/v1/me')).body.role).toBe('admin');
  });

  it('sets a quota that commits then respect, and shows usage', async () => {
    const { session, device } = await newDevice(t.api);
    await device.latest();
    await device.putFile({ path: '/a.bin' }, randomBytes(500));
    expect((await user(session.user.id)).body.usedBytes).toBe(500);
    expect((await updateUser(session.user.id, { quotaBytes: 800 })).status).toBe(200);
    await device.latest();
    const over = await device.putFile({ path: '/b.bin' }, randomBytes(400));
    expect(over.status).toBe(403);
    expect(over.error.code).toBe('QUOTA_EXCEEDED');
    const fits = await device.putFile({ path: '/c.bin' }, randomBytes(300));
    expect(fits.status).toBe(201);
  });

  it('shows a user’s devices with their sync lag', async () => {
    const { session, device } = await newDevice(t.api);
    const other = await t.api.login(session.email, session.password, 'laggard', 'linux');
    await device.latest();
    for (let i = 0; i < 3; i++) await device.mkdir({ path: `/f${i}` });
    await device.sync(); // reads everything …
    await device.sync(); // … and reading again from the new cursor acks it durably
    const res = await devicesOf(session.user.id);
    expect(res.status).toBe(200);
    const byId = new Map(res.body.map((d) => [d.id, d]));
    await expect.poll(async () => (await devicesOf(session.user.id)).body.find((d) => d.id === session.deviceId)!.lagSeqs).toBe(0);
    expect(byId.get(other.deviceId)!.lagSeqs).toBe(3);
    expect(byId.get(other.deviceId)!.sync.lastFetchedSeq).toBe(0);
  });

  it('reports storage: logical bytes, stored bytes and the dedup ratio', async () => {
    const before = (await root.get('/v1/admin/storage')).body;
    const data = randomBytes(4096);
    const users: Device[] = [(await newDevice(t.api)).device, (await newDevice(t.api)).device];
    for (const d of users) {
      await d.latest();
      expect((await d.putFile({ path: '/same.bin' }, data)).status).toBe(201);
    }
    const after = (await root.get('/v1/admin/storage')).body;
    expect(after.logicalBytes - before.logicalBytes).toBe(2 * data.length);
    expect(after.storedBytes - before.storedBytes).toBe(data.length); // stored once
    expect(after.liveBytes - before.liveBytes).toBe(2 * data.length);
    expect(after.users - before.users).toBe(2);
    expect(after.dedupRatio).toBeCloseTo(after.logicalBytes / after.storedBytes, 2);
  });

  it('lists conflicts of every user or one', async () => {
    const { session, device } = await newDevice(t.api);
    await device.latest();
    await device.mkdir({ path: '/Dup' });
    const second = await device.mkdir({ path: '/dup' }); // collides case-insensitively: renamed
    expect(second.body.conflicts.map((c) => c.kind)).toEqual(['NAME_COLLISION']);
    const mine = await root.get('/v1/admin/conflicts', { userId: session.user.id });
    expect(mine.status).toBe(200);
    expect(mine.body.conflicts).toHaveLength(1);
    expect(mine.body.conflicts[0]).toMatchObject({ kind: 'NAME_COLLISION', deviceId: session.deviceId });
    const all = await root.get('/v1/admin/conflicts', { unresolved: true });
    expect(all.body.conflicts.some((c) => c.id === mine.body.conflicts[0]!.id)).toBe(true);
  });
});
