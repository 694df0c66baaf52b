import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { CommitOp } from '../../client/src/sdk/types.js';
import { Device, newDevice } from '../support/device.js';

const QUOTA = 1000;

describe('storage quota (e2e, DEFAULT_QUOTA_BYTES=1000)', () => {
  let t: TestApp;
  let d: Device;

  beforeAll(async () => {
    t = await startTestApp(testConfig('sync_quota', 'fs', { DEFAULT_QUOTA_BYTES: String(QUOTA) }));
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    ({ device: d } = await newDevice(t.api));
  });

  const put = (path: string, size: number, extra: Partial<CommitOp> = {}) => d.putFile({ path }, randomBytes(size), extra);
  function expectQuota(res: ApiReply<unknown>, used: number, required: number) {
    expect(res.status, JSON.stringify(res.raw)).toBe(403);
    expect(res.error.code).toBe('QUOTA_EXCEEDED');
    expect(res.error.details).toEqual({ quotaBytes: QUOTA, usedBytes: used, requiredBytes: required });
  }

  it('gives new accounts the configured quota', async () => {
    const me = await d.get('/v1/me');
    expect(me.body.quotaBytes).toBe(QUOTA);
  });

  it('refuses a commit over the quota with 403 QUOTA_EXCEEDED, and nothing changes', async () => {
    expect((await put('/a.bin', 600)).status).toBe(201);
    const latest = await d.get('/v1/delta/latest');
    const res = await put('/b.bin', 401);
    expectQuota(res, 600, 401);
    expect((await d.get('/v1/delta/latest')).body).toEqual(latest.body);
    expect((await d.get('/v1/files/metadata', { path: '/b.bin' })).status).toBe(404);
    // Exactly up to the quota is fine.
    expect((await put('/b.bin', 400)).status).toBe(201);
    expectQuota(await put('/c.bin', 1), 1000, 1);
  });

  it('counts a new version by its growth', async () => {
    const a = await put('/a.bin', 600);
    await d.latest();
    expectQuota(await put('/a.bin', 1001), 600, 401);
    const grown = await put('/a.bin', 1000);
    expect(grown.status).toBe(201);
    expect(grown.body.entry.id).toBe(a.body.entry.id);
    // Shrinking always works.
    await d.latest();
    expect((await put('/a.bin', 10)).status).toBe(201);
    expect((await put('/b.bin', 990)).status).toBe(201);
  });

  it('frees quota on delete, and charges it again on restore from the trash', async () => {
    const a = await put('/a.bin', 900);
    expectQuota(await put('/b.bin', 200), 900, 200);
    expect((await d.remove({ id: a.body.entry.id })).status).toBe(201);
    expect((await put('/b.bin', 200)).status).toBe(201);
    const latest = await d.get('/v1/delta/latest');
    const restore = await d.restore({ id: a.body.entry.id });
    expectQuota(restore, 200, 900);
    expect((await d.get('/v1/delta/latest')).body).toEqual(latest.body);
    expect((await d.get('/v1/files/metadata', { id: a.body.entry.id })).body.deleted).toBe(true);
  });

  it('frees the quota of a whole folder deleted at once', async () => {
    const f = await d.mkdir({ path: '/F' });
    expect((await put('/F/one.bin', 400)).status).toBe(201);
    expect((await put('/F/two.bin', 400)).status).toBe(201);
    expectQuota(await put('/three.bin', 300), 800, 300);
    expect((await d.remove({ id: f.body.entry.id })).status).toBe(201);
    expect((await put('/three.bin', 1000)).status).toBe(201);
  });

  it('refuses restoring a bigger old revision over the quota', async () => {
    const a = await put('/a.bin', 800);
    await d.latest();
    expect((await put('/a.bin', 100)).status).toBe(201);
    expect((await put('/b.bin', 800)).status).toBe(201);
    const revision = a.body.seq!;
    expectQuota(await d.restoreRevision({ id: a.body.entry.id, revision }), 900, 700);
  });

  it('counts each commit in a batch against the quota; a refused one does not stop the rest', async () => {
    const big = randomBytes(700);
    const small = randomBytes(200);
    const bigBlocks = await d.upload(big);
    const smallBlocks = await d.upload(small);
    const res = await d.batch([
      { type: 'commit', path: '/big1', blocks: bigBlocks, size: 700 },
      { type: 'commit', path: '/big2', blocks: bigBlocks, size: 700 },
      { type: 'commit', path: '/small', blocks: smallBlocks, size: 200 },
    ]);
    expect(res.body.results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      [201, null],
      [403, 'QUOTA_EXCEEDED'],
      [201, null],
    ]);
  });
});
