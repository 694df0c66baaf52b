import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

/** What `npm run fuzz` found (issue 12): each case failed on the code before its fix. */
const ADMIN = 'fuzz-findings-admin@example.com';

describe('fuzzer findings (e2e)', () => {
  let t: TestApp;
  let s: Session;
  const token = () => s.tokens.accessToken;
  const latest = async () => ((await t.api.get('/v1/delta/latest', token())).body as { cursor: string }).cursor;

  beforeAll(async () => {
    t = await startTestApp(testConfig('fuzz_findings', 'fs', { LOG_LEVEL: 'warn', ADMIN_EMAILS: ADMIN }));
    s = await t.api.register();
  });
  afterAll(() => t?.close());

  describe('a batch whose operations are not objects', () => {
    it.each([
      ['an array', '{"ops":[[]]}'],
      ['nested arrays', '{"ops":[[[]]]}'],
      ['arrays and null', '{"ops":[[["x"]],{"a":[]},null]}'],
      ['null', '{"ops":[null]}'],
      ['a string', '{"ops":["move"]}'],
      ['a number', '{"ops":[1]}'],
    ])('is refused with 400 VALIDATION_FAILED, not a 500: %s', async (_n, body) => {
      const res = await t.api.request('POST', '/v1/batch', { raw: body, token: token(), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('null for an optional field', () => {
    const raw = (path: string, body: Record<string, unknown>, tok = token()) =>
      t.api.request('POST', path, { raw: JSON.stringify(body), token: tok, headers: { 'content-type': 'application/json' } });

    it.each([
      ['/v1/folders', { name: null }],
      ['/v1/folders', { path: null }],
      ['/v1/folders', { name: 'a', parentId: null }],
      ['/v1/folders', { name: 'a', id: null }],
      ['/v1/folders', { name: 'a', autorename: null }],
      ['/v1/folders', { name: 'a', opId: null }],
      ['/v1/files/commit', { name: 'f', blocks: [], size: 0, mtime: null }],
      ['/v1/files/move', { id: '00000000-0000-4000-8000-000000000000', name: null }],
      ['/v1/files/restore', { id: '00000000-0000-4000-8000-000000000000', name: null }],
      ['/v1/files/delete', { id: '00000000-0000-4000-8000-000000000000', removedIds: null }],
    ])('is refused with 400 VALIDATION_FAILED (a null name or path was a 500, other nulls passed as absent): %s %j', async (path, fields) => {
      const res = await raw(path, { baseCursor: await latest(), ...fields });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });

    it('is refused in a batch operation too, and by the admin API (which stored role: null)', async () => {
      const batch = await raw('/v1/batch', { ops: [{ type: 'createFolder', baseCursor: await latest(), name: null }] });
      expect(batch.status).toBe(400);
      expect(batch.body.code).toBe('VALIDATION_FAILED');
      const admin = await t.api.register(ADMIN);
      for (const field of ['role', 'quotaBytes', 'disabled']) {
        const res = await t.api.request('PATCH', `/v1/admin/users/${s.user.id}`, {
          raw: JSON.stringify({ [field]: null }),
          token: admin.tokens.accessToken,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status, field).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      const me = await t.api.get('/v1/me', token());
      expect(me.body.user ?? me.body).toMatchObject({ role: 'user' });
    });
  });

  describe("a client-minted id that is another account's id (its root's)", () => {
    it("is an id like any other in one's own tree: created, and the other account's root and names are untouched", async () => {
      const other = await t.api.register();
      const otherLatest = async () => ((await t.api.get('/v1/delta/latest', other.tokens.accessToken)).body as { cursor: string }).cursor;
      const docs = await t.api.post('/v1/folders', { baseCursor: await otherLatest(), path: '/docs' }, other.tokens.accessToken);
      expect(docs.status).toBe(201);

      // Ids are per namespace (docs/security.md): answered as a fresh id would be.
      const res = await t.api.post('/v1/folders', { baseCursor: await latest(), id: other.user.id, name: 'x' }, token());
      expect(res.status).toBe(201);
      // Its children live in this namespace, under keys the other root's never share.
      const child = await t.api.post('/v1/folders', { baseCursor: await latest(), parentId: other.user.id, name: 'docs' }, token());
      expect(child.status).toBe(201);
      const theirs = await t.api.get('/v1/files/metadata?path=%2Fdocs', other.tokens.accessToken);
      expect(theirs.status).toBe(200);
      expect(theirs.body.id).toBe(docs.body.entry.id);
      const theirRoot = await t.api.get(`/v1/files/list?id=${other.user.id}`, other.tokens.accessToken);
      expect(theirRoot.body.entries.map((e: { name: string }) => e.name)).toEqual(['docs']);
      const mine = await t.api.get('/v1/files/metadata?path=%2Fx%2Fdocs', token());
      expect(mine.body.id).toBe(child.body.entry.id);
    });
  });

  describe("a delete whose removedIds name the namespace's root", () => {
    it('leaves the root out: it is not stored, not listed as its own child, not in the delta', async () => {
      const root = s.user.rootNamespaceId;
      const folder = await t.api.post('/v1/folders', { baseCursor: await latest(), path: '/gone' }, token());
      expect(folder.status).toBe(201);
      const del = await t.api.post('/v1/files/delete', { baseCursor: await latest(), id: folder.body.entry.id, removedIds: [root] }, token());
      expect(del.status).toBe(201);
      expect(del.body.entry.id).toBe(folder.body.entry.id);

      const list = await t.api.get('/v1/files/list?path=%2F&recursive=true&limit=50', token());
      expect(list.status).toBe(200);
      expect(list.body.entries.map((e: { id: string }) => e.id)).not.toContain(root);
      expect(list.body.hasMore).toBe(false);

      const delta = await t.api.get('/v1/delta', token());
      expect(delta.status).toBe(200);
      expect(delta.body.entries.map((e: { id: string }) => e.id)).not.toContain(root);
    });
  });
});
