import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

describe('accounts and devices (e2e, real FerretDB)', () => {
  let t: TestApp;
  const logs: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString());
        cb();
      },
    });
    t = await startTestApp(testConfig('auth', 'fs', { LOG_LEVEL: 'debug', ADMIN_EMAILS: 'boss@example.com', REFRESH_REUSE_GRACE_SECONDS: '1' }), { logTo: sink });
  });
  afterAll(() => t?.close());

  describe('register', () => {
    it('creates an account and signs the device in', async () => {
      const res = await t.api.post('/v1/auth/register', {
        email: '  Grace@Example.com ',
        password: 'a long enough password',
        deviceName: 'Pixel',
        platform: 'android',
      });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({ email: 'grace@example.com', role: 'user' });
      expect(res.body.user.rootNamespaceId).toBe(res.body.user.id);
      expect(res.body.deviceId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.tokens.tokenType).toBe('Bearer');
      const me = await t.api.get('/v1/me', res.body.tokens.accessToken);
      expect(me.status).toBe(200);
      expect(me.body.email).toBe('grace@example.com');
    });

    it('refuses a duplicate email, whatever its case', async () => {
      const s = await t.api.register('dup@example.com');
      expect(s.user.email).toBe('dup@example.com');
      const res = await t.api.post('/v1/auth/register', {
        email: 'DUP@example.com',
        password: 'another password',
        deviceName: 'x',
        platform: 'ios',
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('EMAIL_TAKEN');
    });

    it('lets only one of two simultaneous registrations of an email win', async () => {
      const body = { email: 'race@example.com', password: 'plum rocket lantern', deviceName: 'x', platform: 'ios' };
      const results = await Promise.all([1, 2, 3].map(() => t.api.post('/v1/auth/register', body)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    });

    it.each([
      ['"password"', 'password'],
      ['"12345678"', '12345678'],
      ['eight spaces', '        '],
      ['a common password of 12 characters', 'password1234'],
      ['a keyboard run', 'qwertyuiop'],
      ['the account’s own email', 'weak.owner@example.com'],
      ['the email’s name part with digits', 'weak.owner2024'],
    ])('refuses %s as a new password with 400 WEAK_PASSWORD, saying what to do', async (_n, password) => {
      const res = await t.api.post('/v1/auth/register', { email: 'weak.owner@example.com', password, deviceName: 'x', platform: 'ios' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('WEAK_PASSWORD');
      expect(res.body.message).toMatch(/at least 10 characters|easy to guess/);
    });

    it('accepts a few unrelated words', async () => {
      const ok = await t.api.post('/v1/auth/register', { email: 'strong@example.com', password: 'violet anchor drizzle', deviceName: 'x', platform: 'ios' });
      expect(ok.status).toBe(201);
    });

    it('makes accounts listed in ADMIN_EMAILS admins', async () => {
      const s = await t.api.register('boss@example.com');
      expect(s.user.role).toBe('admin');
    });

    it.each([
      ['missing fields', {}],
      ['email of the wrong type', { email: 123, password: 'password123', deviceName: 'x', platform: 'ios' }],
      ['a bad email', { email: 'not-an-email', password: 'password123', deviceName: 'x', platform: 'ios' }],
      ['a short password', { email: 'a@example.com', password: 'short', deviceName: 'x', platform: 'ios' }],
      ['an over-long password', { email: 'a@example.com', password: 'x'.repeat(1025), deviceName: 'x', platform: 'ios' }],
      ['an over-long device name', { email: 'a@example.com', password: 'password123', deviceName: 'x'.repeat(101), platform: 'ios' }],
      ['an empty device name', { email: 'a@example.com', password: 'password123', deviceName: '   ', platform: 'ios' }],
      ['an unknown platform', { email: 'a@example.com', password: 'password123', deviceName: 'x', platform: 'amiga' }],
      ['an unknown field', { email: 'a@example.com', password: 'password123', deviceName: 'x', platform: 'ios', admin: true }],
      ['an array body', [1, 2]],
    ])('refuses %s with VALIDATION_FAILED', async (_name, body) => {
      const res = await t.api.post('/v1/auth/register', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
    });

    it('never echoes a submitted password in a validation error', async () => {
      const res = await t.api.post('/v1/auth/register', { email: 'bad', password: 'hunter2-secret-value', deviceName: 'x', platform: 'ios' });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('hunter2-secret-value');
    });
  });

  describe('login', () => {
    it('signs in a new device each time', async () => {
      const s = await t.api.register();
      const a = await t.api.login(s.email, s.password, 'laptop', 'linux');
      const b = await t.api.login(s.email, s.password, 'desktop', 'windows');
      expect(new Set([s.deviceId, a.deviceId, b.deviceId]).size).toBe(3);
      const list = await t.api.get('/v1/devices', a.tokens.accessToken);
      expect(list.status).toBe(200);
      expect(list.body.map((d: any) => d.name).sort()).toEqual(['desktop', 'laptop', 'test phone']);
      expect(list.body.find((d: any) => d.current).id).toBe(a.deviceId);
    });

    it('answers a wrong password and an unknown email the same way', async () => {
      const s = await t.api.register();
      const wrong = await t.api.post('/v1/auth/login', { email: s.email, password: 'wrong password', deviceName: 'x', platform: 'ios' });
      const unknown = await t.api.post('/v1/auth/login', { email: 'nobody@example.com', password: 'wrong password', deviceName: 'x', platform: 'ios' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
      expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
      expect(unknown.body.message).toBe(wrong.body.message);
    });
  });

  describe('refresh', () => {
    it('rotates: the new pair works and the old refresh token is single use', async () => {
      const s = await t.api.register();
      const r1 = await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken });
      expect(r1.status).toBe(200);
      expect(r1.body.deviceId).toBe(s.deviceId);
      expect(r1.body.tokens.refreshToken).not.toBe(s.tokens.refreshToken);
      expect((await t.api.get('/v1/me', r1.body.tokens.accessToken)).status).toBe(200);
      const r2 = await t.api.post('/v1/auth/refresh', { refreshToken: r1.body.tokens.refreshToken });
      expect(r2.status).toBe(200);
    });

    it('treats a replayed refresh token as theft and signs the device out', async () => {
      const s = await t.api.register();
      const r1 = await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken });
      expect(r1.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1200)); // past the 1 s grace window of this server
      const replay = await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
      // The legitimate holder's newer tokens die with the session.
      const next = await t.api.post('/v1/auth/refresh', { refreshToken: r1.body.tokens.refreshToken });
      expect(next.status).toBe(401);
      expect(next.body.code).toBe('DEVICE_REVOKED');
      const me = await t.api.get('/v1/me', r1.body.tokens.accessToken);
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('DEVICE_REVOKED');
    });

    it('gives two simultaneous refreshes with one token the same successor, and keeps the device signed in', async () => {
      const s = await t.api.register();
      const results = await Promise.all([1, 2].map(() => t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken })));
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      expect(results[0]!.body.tokens.refreshToken).toBe(results[1]!.body.tokens.refreshToken);
      // The one successor rotates once, like any token; both access tokens work.
      for (const r of results) expect((await t.api.get('/v1/me', r.body.tokens.accessToken)).status).toBe(200);
      const next = await t.api.post('/v1/auth/refresh', { refreshToken: results[0]!.body.tokens.refreshToken });
      expect(next.status).toBe(200);
    });

    it('a retry within the grace window gets the same successor; once that successor was used, a retry is reuse', async () => {
      const s = await t.api.register();
      const r1 = await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken });
      const retry = await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken });
      expect(retry.status).toBe(200);
      expect(retry.body.tokens.refreshToken).toBe(r1.body.tokens.refreshToken);
      expect((await t.api.post('/v1/auth/refresh', { refreshToken: r1.body.tokens.refreshToken })).status).toBe(200);
      const late = await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken });
      expect(late.status).toBe(401);
      expect(late.body.code).toBe('REFRESH_TOKEN_REUSED');
    });

    it.each([
      ['garbage', 'not-a-token-at-all'],
      ['a forged secret', 'AAAAAAAAAAAAAAAAAAAAAAAA.forgedsecretforgedsecretforgedsecret'],
      ['too many parts', 'a.b.c.d.e.f.g.h'],
    ])('refuses %s', async (_name, refreshToken) => {
      const res = await t.api.post('/v1/auth/refresh', { refreshToken });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('REFRESH_TOKEN_INVALID');
    });

    it('refuses a valid id with a wrong secret', async () => {
      const s = await t.api.register();
      const [id] = s.tokens.refreshToken.split('.');
      const res = await t.api.post('/v1/auth/refresh', { refreshToken: `${id}.${'x'.repeat(43)}` });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('REFRESH_TOKEN_INVALID');
      // ...and does not burn the real token.
      expect((await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken })).status).toBe(200);
    });
  });

  describe('access tokens', () => {
    const sign = (payload: object, secret: string) => jwt.sign(payload, secret, { algorithm: 'HS256', expiresIn: 600 });

    it.each([
      ['no header', undefined, 'TOKEN_MISSING'],
      ['garbage', 'garbage', 'TOKEN_INVALID'],
      ['a token signed with another secret', sign({ sub: 'x', did: 'y', typ: 'access' }, 'another-secret-another-secret-another'), 'TOKEN_INVALID'],
      ['an unsigned token', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`, 'TOKEN_INVALID'],
    ])('refuses %s', async (_name, token, code) => {
      const res = await t.api.get('/v1/me', token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe(code);
    });

    it('refuses an expired token with TOKEN_EXPIRED', async () => {
      const s = await t.api.register();
      const exp = Math.floor(Date.now() / 1000) - 10;
      const expired = jwt.sign({ sub: s.user.id, did: s.deviceId, typ: 'access', exp }, t.config.auth.jwtSecret, { algorithm: 'HS256' });
      const res = await t.api.get('/v1/me', expired);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('TOKEN_EXPIRED');
    });

    it('refuses a well-signed token whose device belongs to another user', async () => {
      const a = await t.api.register();
      const b = await t.api.register();
      const forged = sign({ sub: a.user.id, did: b.deviceId, typ: 'access' }, t.config.auth.jwtSecret);
      expect((await t.api.get('/v1/me', forged)).status).toBe(401);
    });
  });

  describe('devices', () => {
    it('renames a device and stores an FCM token without ever returning it', async () => {
      const s = await t.api.register();
      const res = await t.api.patch(`/v1/devices/${s.deviceId}`, { name: 'Work phone', fcmToken: 'fcm-token-value' }, s.tokens.accessToken);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: s.deviceId, name: 'Work phone', hasPushToken: true, current: true });
      expect(JSON.stringify(res.body)).not.toContain('fcm-token-value');
      const cleared = await t.api.patch(`/v1/devices/${s.deviceId}`, { fcmToken: null }, s.tokens.accessToken);
      expect(cleared.body.hasPushToken).toBe(false);
    });

    it('revokes a device: its access and refresh tokens stop at once', async () => {
      const s = await t.api.register();
      const other = await t.api.login(s.email, s.password, 'old laptop', 'linux');
      expect((await t.api.get('/v1/me', other.tokens.accessToken)).status).toBe(200);
      const del = await t.api.delete(`/v1/devices/${other.deviceId}`, s.tokens.accessToken);
      expect(del.status).toBe(204);
      const me = await t.api.get('/v1/me', other.tokens.accessToken);
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('DEVICE_REVOKED');
      const refresh = await t.api.post('/v1/auth/refresh', { refreshToken: other.tokens.refreshToken });
      expect(refresh.status).toBe(401);
      expect(refresh.body.code).toBe('DEVICE_REVOKED');
      const list = await t.api.get('/v1/devices', s.tokens.accessToken);
      expect(list.body.map((d: any) => d.id)).toEqual([s.deviceId]);
      const all = await t.api.get('/v1/devices?includeRevoked=true', s.tokens.accessToken);
      expect(all.body).toHaveLength(2);
    });

    it('does not let one user see or touch another user’s device', async () => {
      const a = await t.api.register();
      const b = await t.api.register();
      const patch = await t.api.patch(`/v1/devices/${b.deviceId}`, { name: 'mine now' }, a.tokens.accessToken);
      expect(patch.status).toBe(404);
      expect(patch.body.code).toBe('DEVICE_NOT_FOUND');
      const del = await t.api.delete(`/v1/devices/${b.deviceId}`, a.tokens.accessToken);
      expect(del.status).toBe(404);
      expect((await t.api.get('/v1/me', b.tokens.accessToken)).status).toBe(200);
    });

    it('refuses a malformed device id and unknown fields', async () => {
      const s = await t.api.register();
      const bad = await t.api.patch('/v1/devices/not-a-uuid', { name: 'x' }, s.tokens.accessToken);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('INVALID_ID');
      const unknown = await t.api.patch(`/v1/devices/${s.deviceId}`, { role: 'admin' }, s.tokens.accessToken);
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('VALIDATION_FAILED');
    });

    it('logout signs out only this device', async () => {
      const s = await t.api.register();
      const other = await t.api.login(s.email, s.password);
      const out = await t.api.post('/v1/auth/logout', undefined, s.tokens.accessToken);
      expect(out.status).toBe(204);
      expect((await t.api.get('/v1/me', s.tokens.accessToken)).body.code).toBe('DEVICE_REVOKED');
      expect((await t.api.get('/v1/me', other.tokens.accessToken)).status).toBe(200);
    });
  });

  it('never writes passwords or tokens to the log', async () => {
    const password = 'very-distinctive-password-42';
    const s = await t.api.register(undefined, password);
    await t.api.login(s.email, password);
    await t.api.post('/v1/auth/refresh', { refreshToken: s.tokens.refreshToken });
    await t.api.post('/v1/auth/login', { email: s.email, password: 'wrong-but-distinctive-99', deviceName: 'x', platform: 'ios' });
    await new Promise((r) => setTimeout(r, 100));
    const all = logs.join('');
    expect(all).toContain(s.user.id); // the log is being captured at all
    expect(all).not.toContain(password);
    expect(all).not.toContain('wrong-but-distinctive-99');
    expect(all).not.toContain(s.tokens.refreshToken.split('.')[1]);
    expect(all).not.toContain(s.tokens.accessToken);
  });
});

describe('rate limits (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(testConfig('ratelimit', 'fs', { AUTH_RATE_LIMIT_PER_MINUTE: '3' }));
  });
  afterAll(() => t?.close());

  it('limits login attempts per client', async () => {
    const body = { email: 'nobody@example.com', password: 'password123', deviceName: 'x', platform: 'ios' };
    const statuses: number[] = [];
    let last: any;
    for (let i = 0; i < 5; i++) {
      last = await t.api.post('/v1/auth/login', body);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(last.body.code).toBe('RATE_LIMITED');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('closed registration (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(testConfig('closedreg', 'fs', { REGISTRATION_OPEN: 'false' }));
  });
  afterAll(() => t?.close());

  it('refuses new accounts', async () => {
    const res = await t.api.post('/v1/auth/register', { email: 'a@example.com', password: 'password123', deviceName: 'x', platform: 'ios' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('REGISTRATION_CLOSED');
  });
});
