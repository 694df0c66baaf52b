import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../support/api-client.js';
import { sha256 } from '../support/bytes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

/** Defects a black-box run found (issue 12): each case failed on the code before the fix. */
describe('hardening: hostile input gets a 4xx with a stable code (e2e)', () => {
  let t: TestApp;
  let s: Session;

  beforeAll(async () => {
    t = await startTestApp(testConfig('hardening', 'fs', { LOG_LEVEL: 'warn' }));
    s = await t.api.register();
  });
  afterAll(() => t?.close());

  const rawJson = (path: string, text: string | Buffer, headers: Record<string, string> = {}, token?: string) =>
    t.api.request('POST', path, { raw: text, token, headers: { 'content-type': 'application/json', ...headers } });
  const putBlock = (token: string, hash: string, bytes: Buffer) =>
    t.api.request('PUT', `/v1/blocks/${hash}`, { token, raw: bytes, headers: { 'content-type': 'application/octet-stream' } });

  describe('bodies, before anyone logs in', () => {
    it('refuses an array 1,500 deep with 400 BODY_TOO_DEEP', async () => {
      const res = await rawJson('/v1/auth/login', '['.repeat(1500) + ']'.repeat(1500));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BODY_TOO_DEEP');
    });

    it('refuses objects 3,000 deep inside a field with 400 BODY_TOO_DEEP', async () => {
      const deep = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
      const res = await rawJson('/v1/auth/login', `{"email":"a@example.com","password":${deep}}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BODY_TOO_DEEP');
    });

    it('does not count brackets inside strings as nesting', async () => {
      const res = await rawJson('/v1/auth/login', JSON.stringify({ email: 'nobody@example.com', password: '[['.repeat(200), deviceName: 'x', platform: 'linux' }));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    });

    it.each(['gzip', 'deflate', 'br', 'x-unknown'])('refuses Content-Encoding %s on a plain body with 415', async (encoding) => {
      const res = await rawJson('/v1/auth/login', '{"email":"a@example.com"}', { 'content-encoding': encoding });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('UNSUPPORTED_CONTENT_ENCODING');
    });

    it('refuses a really compressed body too (bodies are never compressed here)', async () => {
      const res = await rawJson('/v1/auth/login', gzipSync('{"email":"a@example.com"}'), { 'content-encoding': 'gzip' });
      expect(res.status).toBe(415);
    });

    it.each([
      ['a lone high surrogate', '"\\ud800@example.com"'],
      ['a lone low surrogate', '"a\\udfff@example.com"'],
      ['a high surrogate then a plain escape', '"\\ud800\\u0041@example.com"'],
    ])('refuses %s in the email with 400 INVALID_UNICODE', async (_n, email) => {
      const res = await rawJson('/v1/auth/login', `{"email":${email},"password":"whatever123","deviceName":"x","platform":"linux"}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_UNICODE');
    });

    it('accepts an escaped surrogate pair (an emoji) as text', async () => {
      const res = await rawJson('/v1/folders', '{"name":"cat \\ud83d\\udc08","baseCursor":"0"}', {}, s.tokens.accessToken);
      expect(res.body.code).not.toBe('INVALID_UNICODE');
      expect(res.status).toBeLessThan(500);
    });
  });

  describe('names', () => {
    it.each([
      ['"\\ud800"', 'INVALID_UNICODE'],
      ['"a\\udfff"', 'INVALID_UNICODE'],
      ['"a\\u0085b"', 'INVALID_NAME'],
      ['"\\u0080"', 'INVALID_NAME'],
    ])('refuses the folder name %s with %s', async (name, code) => {
      const { cursor } = (await t.api.get('/v1/delta/latest', s.tokens.accessToken)).body as { cursor: string };
      const res = await rawJson('/v1/folders', `{"name":${name},"baseCursor":"${cursor}"}`, {}, s.tokens.accessToken);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(code);
    });
  });

  describe('re-uploading a block you hold', () => {
    const bytes = randomBytes(64 * 1024);
    const hash = sha256(bytes);

    beforeAll(async () => {
      expect((await putBlock(s.tokens.accessToken, hash, bytes)).status).toBe(201);
    });

    it('verifies the bytes: wrong bytes of the right length are 400 HASH_MISMATCH', async () => {
      const res = await putBlock(s.tokens.accessToken, hash, randomBytes(bytes.length));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('HASH_MISMATCH');
    });

    it('verifies the bytes: a truncated body is refused', async () => {
      const res = await putBlock(s.tokens.accessToken, hash, bytes.subarray(0, 1000));
      expect(res.status).toBe(400);
      expect(['HASH_MISMATCH', 'SIZE_MISMATCH']).toContain(res.body.code);
    });

    it('answers the right bytes with 200 created:false', async () => {
      const res = await putBlock(s.tokens.accessToken, hash, bytes);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ hash, created: false });
    });
  });

  describe('access tokens', () => {
    const now = () => Math.floor(Date.now() / 1000);
    // jsonwebtoken keeps a given iat and adds one only when asked to (noTimestamp: false).
    const sign = (payload: object) => jwt.sign(payload, t.config.auth.jwtSecret, { algorithm: 'HS256', noTimestamp: !('iat' in payload) });
    const claims = () => ({ sub: s.user.id, did: s.deviceId, typ: 'access' });

    it('accepts a token shaped as the server issues it (the cases below differ in one claim)', async () => {
      const token = sign({ ...claims(), iat: now(), exp: now() + 600 });
      const res = await t.api.get('/v1/me', token);
      expect(res.status).toBe(200);
    });

    it.each([
      ['no exp', () => ({ iat: now() })],
      ['no iat', () => ({ exp: now() + 600 })],
      ['iat an hour in the future', () => ({ iat: now() + 3600, exp: now() + 4000 })],
      ['a ten-year lifetime', () => ({ iat: now(), exp: now() + 10 * 365 * 86_400 })],
    ])('refuses a correctly signed token with %s: 401 TOKEN_INVALID', async (_n, times) => {
      const res = await t.api.get('/v1/me', sign({ ...claims(), ...times() }));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('TOKEN_INVALID');
    });

    it.each([
      ['a second word after the token', (tok: string) => `Bearer ${tok} extra`],
      ['two spaces', (tok: string) => `Bearer  ${tok}`],
      ['another scheme', (tok: string) => `Token ${tok}`],
      ['no scheme', (tok: string) => tok],
    ])('refuses an Authorization header with %s', async (_n, header) => {
      const res = await t.api.request('GET', '/v1/me', { headers: { authorization: header(s.tokens.accessToken) } });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('TOKEN_INVALID');
    });

    it('matches the scheme case-insensitively, as RFC 7235 says', async () => {
      const res = await t.api.request('GET', '/v1/me', { headers: { authorization: `bearer ${s.tokens.accessToken}` } });
      expect(res.status).toBe(200);
    });
  });
});
