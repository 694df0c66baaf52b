import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { hashBuffer } from '../../src/shared/content-hash.js';
import { sha256 } from '../support/bytes.js';
import type { BatchOp } from '../../client/src/sdk/types.js';
import { type Device, newDevice } from '../support/device.js';

/** HTTP details of the sync API: statuses of no-ops, conditional downloads, ambiguous requests. */
describe('sync API details (e2e)', () => {
  let t: TestApp;
  let d: Device;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(testConfig('httpdetails'));
    const made = await newDevice(t.api);
    d = made.device;
    token = made.session.tokens.accessToken;
    await d.latest();
  });
  afterAll(() => t?.close());

  it('answers 201 when a write changed something and 200 with seq null when it did not', async () => {
    const first = await d.mkdir({ path: '/same', id: '0190a0a0-0000-7000-8000-000000000001' });
    expect(first.status).toBe(201);
    expect(first.body.seq).toBeGreaterThan(0);
    const again = await d.mkdir({ path: '/same', id: '0190a0a0-0000-7000-8000-000000000001' });
    expect(again.status).toBe(200);
    expect(again.body.seq).toBeNull();
  });

  it('refuses a create that names both a path and a parentId/name', async () => {
    const res = await d.mkdir({ path: '/a', name: 'b' });
    expect(res.status).toBe(400);
    expect(res.error.code).toBe('INVALID_PATH');
  });

  it('honours If-None-Match with *, lists and weak ETags', async () => {
    const data = randomBytes(1000);
    const made = await d.putFile({ path: '/cond.bin' }, data);
    const etag = `"${made.body.entry.contentHash}"`;
    for (const header of ['*', `"nope", ${etag}`, `W/${etag}`]) {
      expect((await d.download({ id: made.body.entry.id }, { 'if-none-match': header })).status).toBe(304);
    }
    const fresh = await d.download({ id: made.body.entry.id }, { 'if-none-match': '"something-else"' });
    expect(fresh.status).toBe(200);
    expect(sha256(fresh.body)).toBe(sha256(data));
  });

  it('refuses a garbage trash cursor with INVALID_PAGE_CURSOR', async () => {
    for (const cursor of ['abc', '-5', '1e9', '0']) {
      const res = await t.api.get(`/v1/trash?cursor=${cursor}`, token);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_PAGE_CURSOR');
    }
  });

  it('refuses block bytes labelled as JSON with 415, whatever they contain', async () => {
    for (const bytes of [randomBytes(3000), Buffer.from('{"not":"a block"}')]) {
      const res = await t.api.request('PUT', `/v1/blocks/${sha256(bytes)}`, { token, raw: bytes, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('gives a file’s block list, current or of a revision, for block-level downloads', async () => {
    const v1 = randomBytes(5 * 1024 * 1024);
    const made = await d.putFile({ path: '/blocky.bin' }, v1);
    const v2 = Buffer.concat([v1.subarray(0, 4 * 1024 * 1024), randomBytes(100)]);
    await d.latest();
    const second = await d.putFile({ path: '/blocky.bin' }, v2, { id: made.body.entry.id });
    const current = await d.get('/v1/files/blocks', { id: made.body.entry.id });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ id: made.body.entry.id, revision: second.body.seq, size: v2.length, contentHash: hashBuffer(v2).contentHash });
    expect(current.body.blocks).toEqual(hashBuffer(v2).blocks);
    expect(current.body.blocks[0]!).toBe(hashBuffer(v1).blocks[0]); // the unchanged first block is shared
    const old = await d.get('/v1/files/blocks', { id: made.body.entry.id, revision: made.body.seq! });
    expect(old.body.blocks).toEqual(hashBuffer(v1).blocks);
    expect((await d.get('/v1/files/blocks', { path: '/' })).error.code).toBe('NOT_A_FILE');
    const stranger = await newDevice(t.api);
    expect((await stranger.device.get('/v1/files/blocks', { id: made.body.entry.id })).status).toBe(404);
  });

  it('skips the rest of a batch after a failure when asked to (stopOnError), and goes on when not', async () => {
    await d.latest();
    const missing = sha256(randomBytes(16));
    const ops = (tag: string): BatchOp[] => [
      { type: 'createFolder', path: `/${tag}-1`, baseCursor: d.cursor },
      { type: 'commit', path: `/${tag}-2.bin`, blocks: [missing], size: 10, baseCursor: d.cursor },
      { type: 'createFolder', path: `/${tag}-3`, baseCursor: d.cursor },
    ];
    const stopped = await d.batch(ops('stop'), { stopOnError: true });
    expect(stopped.body.results.map((r) => r.status)).toEqual([201, 400, 424]);
    expect(stopped.body.results[2]!.error?.code).toBe('SKIPPED');
    expect((await d.get('/v1/files/metadata', { path: '/stop-3' })).status).toBe(404);
    const goneOn = await d.batch(ops('go'));
    expect(goneOn.body.results.map((r) => r.status)).toEqual([201, 400, 201]);
  });
});
