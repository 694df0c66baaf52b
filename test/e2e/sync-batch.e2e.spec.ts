import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_MODEL, type DeviceDoc } from '../../src/modules/auth/schemas/device.schema.js';
import { uuidv7 } from '../../src/shared/ids.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { blocksOf } from '../support/bytes.js';
import type { BatchOp, Success } from '../../client/src/sdk/types.js';
import { type Account, Device, loginDevice, newDevice } from '../support/device.js';

type BatchResult = Success<'/v1/batch', 'post'>;

describe('batches and operation ids (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig('sync_batch'));
  });
  afterAll(() => t?.close());

  const batch = (d: Device, ops: BatchOp[]) => d.batch(ops);
  /** Batches the SDK's types refuse (malformed operations), sent raw. */
  const rawBatch = (d: Device, ops: Record<string, unknown>[]) => d.api.post('/v1/batch', { ops }, d.token);

  describe('a batch of mixed operations', () => {
    let d: Device;
    let account: Account;
    let ops: BatchOp[];
    let first: BatchResult;
    let headBefore: number;
    const folderId = uuidv7();
    const fileId = uuidv7();

    beforeAll(async () => {
      ({ session: account, device: d } = await newDevice(t.api));
      const blocks = await d.upload(Buffer.from('batched file'));
      const cursor = d.cursor;
      ops = [
        { type: 'createFolder', opId: 'op-1', baseCursor: cursor, id: folderId, path: '/Batch' },
        { type: 'commit', opId: 'op-2', baseCursor: cursor, id: fileId, parentId: folderId, name: 'f.txt', blocks, size: 12 },
        // Fails: the name is taken (by op-1's folder) and the operation asks not to be renamed.
        { type: 'createFolder', opId: 'op-3', baseCursor: cursor, path: '/batch', autorename: false },
        { type: 'move', opId: 'op-4', baseCursor: cursor, id: fileId, name: 'g.txt' },
        // Fails: no such node.
        { type: 'delete', opId: 'op-5', baseCursor: cursor, id: '0190a0b0-c0d0-7000-8000-000000000001' },
        // Fails alone: its base cursor is garbage.
        { type: 'createFolder', opId: 'op-6', baseCursor: 'garbage', path: '/Never' },
        { type: 'createFolder', opId: 'op-7', baseCursor: cursor, path: '/Batch/Inner' },
      ];
      headBefore = await d.headSeq();
      const res = await batch(d, ops);
      expect(res.status, JSON.stringify(res.raw)).toBe(200);
      first = res.body;
    });

    it('answers each operation with its own status and result; a failure does not stop the rest', () => {
      expect(first.results.map((r) => r.status)).toEqual([201, 201, 409, 201, 404, 400, 201]);
      expect(first.results.map((r) => r.opId)).toEqual(ops.map((o) => o.opId));
      expect(first.results.map((r) => r.error?.code ?? null)).toEqual([
        null,
        null,
        'NAME_TAKEN',
        null,
        'NODE_NOT_FOUND',
        'CURSOR_INVALID',
        null,
      ]);
      expect(first.results[2]!.error?.details?.current).toMatchObject({ id: folderId });
      expect(first.results[0]!.result?.entry).toMatchObject({ id: folderId, path: '/Batch' });
      expect(first.results[1]!.result?.entry).toMatchObject({ path: '/Batch/f.txt', parentId: folderId });
      expect(first.results[3]!.result?.entry).toMatchObject({ id: fileId, path: '/Batch/g.txt' });
      expect(first.results[6]!.result?.entry).toMatchObject({ path: '/Batch/Inner', parentId: folderId });
    });

    it('gives each applied operation its own journal entry, in order', async () => {
      const seqs = first.results.flatMap((r) => (r.result ? [r.result.seq] : []));
      expect(seqs).toEqual([headBefore + 1, headBefore + 2, headBefore + 3, headBefore + 4]);
      expect(await d.headSeq()).toBe(headBefore + 4);
      const paths = await d.listAll({ path: '/' }, { recursive: true });
      expect(paths.map((e) => e.path)).toEqual(['/Batch', '/Batch/g.txt', '/Batch/Inner']);
    });

    it('answers a retry of the whole batch with the same results and appends nothing', async () => {
      const head = await d.headSeq();
      const again = await batch(d, ops);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first);
      expect(await d.headSeq()).toBe(head);
      expect((await d.readDelta()).entries.filter((e) => e.seq > head)).toEqual([]);
    });

    it('answers a single request with an op id of the batch from the first result', async () => {
      const head = await d.headSeq();
      const op = ops[1]!;
      if (op.type !== 'commit') throw new Error('op-2 is the commit');
      const { type: _commit, ...commitOp } = op;
      const res = await d.commit(commitOp);
      expect(res.status).toBe(201);
      expect(res.body).toEqual(first.results[1]!.result);
      expect(await d.headSeq()).toBe(head);
    });

    it('refuses an op id reused for a different operation with 409 OP_ID_REUSED', async () => {
      const head = await d.headSeq();
      const single = await d.mkdir({ opId: 'op-1', path: '/Different' });
      expect(single.status).toBe(409);
      expect(single.error.code).toBe('OP_ID_REUSED');
      const inBatch = await batch(d, [
        { type: 'createFolder', opId: 'op-7', baseCursor: d.cursor, path: '/AlsoDifferent' },
        { type: 'createFolder', opId: 'op-new', baseCursor: d.cursor, path: '/Fresh' },
      ]);
      expect(inBatch.body.results.map((r) => [r.status, r.error?.code ?? null])).toEqual([
        [409, 'OP_ID_REUSED'],
        [201, null],
      ]);
      expect(await d.headSeq()).toBe(head + 1);
      expect((await d.get('/v1/files/metadata', { path: '/Different' })).status).toBe(404);
    });

    it("keeps op ids per device: another device's op id is its own", async () => {
      const d2 = await loginDevice(t.api, account);
      const res = await d2.mkdir({ opId: 'op-1', path: '/FromDevice2' });
      expect(res.status).toBe(201);
      expect(res.body.entry.path).toBe('/FromDevice2');
    });
  });

  it('answers a retried single request with an op id from its first result', async () => {
    const { device: d } = await newDevice(t.api);
    const blocks = await d.upload(Buffer.from('retry me'));
    const body = { opId: 'commit-once', path: '/once.txt', blocks, size: 8 };
    const a = await d.commit(body);
    expect(a.status).toBe(201);
    const head = await d.headSeq();
    // The device never saw the answer and retries, as it was.
    const b = await d.commit(body);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(await d.headSeq()).toBe(head);
    // In a batch, too.
    const c = await batch(d, [{ type: 'commit', baseCursor: d.cursor, ...body }]);
    expect(c.body.results[0]).toEqual({ status: 201, opId: 'commit-once', result: a.body });
    expect(await d.headSeq()).toBe(head);
  });

  it('tells retries from new operations by op id order (the device watermark), whatever order a device mints them in', async () => {
    const { device: d } = await newDevice(t.api);
    const first = await batch(d, [
      { type: 'createFolder', opId: 'm-5', baseCursor: d.cursor, path: '/Five' },
      { type: 'createFolder', opId: 'm-9', baseCursor: d.cursor, path: '/Nine' },
    ]);
    expect(first.body.results.map((r) => r.status)).toEqual([201, 201]);
    const head = await d.headSeq();
    // Below the watermark but never applied: applied now. A retry below it: answered from its record.
    const second = await batch(d, [
      { type: 'createFolder', opId: 'm-7', baseCursor: d.cursor, path: '/Seven' },
      { type: 'createFolder', opId: 'm-5', baseCursor: d.cursor, path: '/Five' },
      { type: 'createFolder', opId: 'm-95', baseCursor: d.cursor, path: '/NinetyFive' },
    ]);
    expect(second.body.results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(second.body.results[1]).toEqual(first.body.results[0]);
    expect(await d.headSeq()).toBe(head + 2);
    const names = (await d.listAll({ path: '/' })).map((e) => e.name);
    expect(names.sort()).toEqual(['Five', 'Nine', 'NinetyFive', 'Seven']);
  });

  it('looks every op id up for a device from before watermarks, and gives it none', async () => {
    const { device: d } = await newDevice(t.api);
    const devices = t.app.get<Model<DeviceDoc>>(getModelToken(DEVICE_MODEL));
    await devices.updateOne({ _id: d.deviceId }, { $unset: { opIdsUpTo: 1 } });
    const ops: BatchOp[] = [{ type: 'createFolder', opId: 'z-1', baseCursor: d.cursor, path: '/Old' }];
    const first = await batch(d, ops);
    const head = await d.headSeq();
    const again = await batch(d, ops);
    expect(again.body.results).toEqual(first.body.results);
    expect(await d.headSeq()).toBe(head);
    expect((await devices.findById(d.deviceId).lean<DeviceDoc>())?.opIdsUpTo).toBeUndefined();
  });

  it('does not record a failed operation: after fixing the cause, the same op id applies', async () => {
    const { device: d } = await newDevice(t.api);
    const data = Buffer.from('uploaded late');
    const body = { opId: 'late-blocks', path: '/late.txt', blocks: blocksOf(data), size: data.length };
    const missing = await d.commit(body);
    expect(missing.status).toBe(400);
    expect(missing.error.code).toBe('BLOCKS_MISSING');
    await d.upload(data);
    const ok = await d.commit(body);
    expect(ok.status).toBe(201);
    expect(ok.body.entry.path).toBe('/late.txt');
  });

  it.each([
    ['an unknown operation type', { type: 'explode', baseCursor: 'x' }],
    ['an unknown field in an operation', { type: 'createFolder', baseCursor: 'x', path: '/a', colour: 'red' }],
    ['an operation without its base cursor', { type: 'createFolder', path: '/a' }],
    ['a malformed op id', { type: 'createFolder', baseCursor: 'x', path: '/a', opId: 'has spaces' }],
  ])('refuses a batch with %s as a whole with 400 VALIDATION_FAILED', async (_name, op) => {
    const { device: d } = await newDevice(t.api);
    const res = await rawBatch(d, [{ type: 'createFolder', baseCursor: d.cursor, path: '/fine' }, op]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(await d.headSeq()).toBe(0);
  });

  it('refuses more than 1000 operations with 400 VALIDATION_FAILED', async () => {
    const { device: d } = await newDevice(t.api);
    const ops = Array.from({ length: 1001 }, (_, i): BatchOp => ({ type: 'createFolder', baseCursor: d.cursor, path: `/f${i}` }));
    const res = await batch(d, ops);
    expect(res.status).toBe(400);
    expect(res.error.code).toBe('VALIDATION_FAILED');
  });

  it('accepts an empty batch', async () => {
    const { device: d } = await newDevice(t.api);
    const res = await batch(d, []);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [] });
  });
});
