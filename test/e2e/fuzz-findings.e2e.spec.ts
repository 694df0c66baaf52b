import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

/** What `npm run fuzz` found (issue 12): each case failed on the code before its fix. */
describe('fuzzer findings (e2e)', () => {
  let t: TestApp;
  let s: Session;
  const token = () => s.tokens.accessToken;
  const latest = async () => ((await t.api.get('/v1/delta/latest', token())).body as { cursor: string }).cursor;

  beforeAll(async () => {
    t = await startTestApp(testConfig('fuzz_findings', 'fs', { LOG_LEVEL: 'warn' }));
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
