import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodePackHeader, PACK_CONTENT_TYPE, PACK_MAX_BLOCKS } from '../../src/shared/block-pack.js';
import { BLOCK_SIZE } from '../../src/shared/content-hash.js';
import { sha256 } from '../support/bytes.js';
import { Device, newDevice } from '../support/device.js';
import { storedBlobKeys } from '../support/stored-blobs.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

/** A pack body of these blocks (table sizes from the bytes unless `sizes` says otherwise). */
function packOf(blocks: Buffer[], sizes?: number[]): Buffer {
  const header = encodePackHeader(blocks.map((b, i) => ({ hash: sha256(b), size: sizes?.[i] ?? b.length })));
  return Buffer.concat([header, ...blocks]);
}

describe.each(['fs', 's3'] as const)('block packs on the %s blob store (e2e)', (store) => {
  let t: TestApp;
  let a: Device;
  let b: Device;
  const post = (device: Device, body: Buffer, headers: Record<string, string> = { 'content-type': PACK_CONTENT_TYPE }) =>
    device.api.request('POST', '/v1/blocks/pack', { token: device.token, raw: body, headers });

  beforeAll(async () => {
    t = await startTestApp(testConfig(`blocks_pack_${store}`, store));
    ({ device: a } = await newDevice(t.api));
    ({ device: b } = await newDevice(t.api));
  });
  afterAll(() => t?.close());

  it('takes many blocks in one request: each stored once however many hold it, and created only for blocks new to you', async () => {
    const mine = randomBytes(700);
    const theirs = randomBytes(900);
    expect((await post(a, packOf([mine]))).status).toBe(200);
    expect((await post(b, packOf([theirs]))).status).toBe(200);
    const fresh = [randomBytes(10), randomBytes(5000), randomBytes(BLOCK_SIZE)];
    const before = await storedBlobKeys(t.config);
    const res = await post(a, packOf([...fresh, mine, theirs]));
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      ...fresh.map((f) => ({ hash: sha256(f), size: f.length, created: true })),
      { hash: sha256(mine), size: 700, created: false },
      { hash: sha256(theirs), size: 900, created: true },
    ]);
    expect(await storedBlobKeys(t.config)).toEqual([...before, ...fresh.map(sha256)].sort());
    const all = [...fresh, mine, theirs].map(sha256);
    expect(await a.check(all)).toEqual([]);
    // They commit like blocks uploaded one by one.
    const c = await a.commit({ path: '/small.bin', blocks: [sha256(fresh[1]!)], size: 5000 });
    expect(c.status).toBe(201);
  });

  it('a block whose bytes do not match stops the pack: the blocks before it are kept, it and those after are not', async () => {
    const blocks = [randomBytes(100), randomBytes(100), randomBytes(100)];
    const body = packOf(blocks);
    body.writeUInt8(body.readUInt8(body.length - 150) ^ 0xff, body.length - 150); // inside block 1
    const res = await post(a, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'HASH_MISMATCH', details: { index: 1, hash: sha256(blocks[1]!) } });
    expect(await a.check(blocks.map(sha256))).toEqual([sha256(blocks[1]!), sha256(blocks[2]!)]);
  });

  it('refuses what is not a valid pack with a clear code, and keeps nothing of it', async () => {
    const one = randomBytes(64);
    const valid = packOf([one]);
    const cases: [string, Buffer, number, string][] = [
      ['no magic', Buffer.concat([Buffer.from('XXXX'), valid.subarray(4)]), 400, 'INVALID_BLOCK_PACK'],
      ['no blocks', encodePackHeader([]), 400, 'INVALID_BLOCK_PACK'],
      ['too many blocks', Buffer.concat([Buffer.from('PCB1'), Buffer.from([0, 0, (PACK_MAX_BLOCKS + 1) >> 8, (PACK_MAX_BLOCKS + 1) & 0xff])]), 400, 'INVALID_BLOCK_PACK'],
      ['a block over 4 MiB in the table', packOf([one], [BLOCK_SIZE + 1]), 400, 'INVALID_BLOCK_PACK'],
      ['a hash twice', packOf([one, one]), 400, 'INVALID_BLOCK_PACK'],
      ['a table that does not add up to the body', Buffer.concat([valid, Buffer.from('extra')]), 400, 'INVALID_BLOCK_PACK'],
      ['a body shorter than its table', valid.subarray(0, 20), 400, 'SIZE_MISMATCH'],
    ];
    for (const [what, body, status, code] of cases) {
      const res = await post(a, body);
      expect({ what, status: res.status, code: res.body.code }).toEqual({ what, status, code });
    }
    expect((await post(a, valid, { 'content-type': 'application/octet-stream' })).body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await a.api.request('POST', '/v1/blocks/pack', { raw: valid, headers: { 'content-type': PACK_CONTENT_TYPE } })).status).toBe(401);
    expect(await a.check([sha256(one)])).toEqual([sha256(one)]);
  });

  it('a client that hangs up mid-pack leaves the server answering, and nothing of the unfinished block', async () => {
    const blocks = [randomBytes(1000), randomBytes(200_000)];
    const body = packOf(blocks);
    const url = new URL('/v1/blocks/pack', t.api.baseUrl);
    const logged = vi.spyOn(Logger.prototype, 'error');
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': PACK_CONTENT_TYPE, 'content-length': String(body.length) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(body.subarray(0, body.length - 100_000), () => setTimeout(() => req.destroy(), 100));
    });
    await expect.poll(() => a.check(blocks.map(sha256))).toContain(sha256(blocks[1]!));
    // A hang-up is the client's doing (REQUEST_ABORTED), not an unhandled server error.
    expect(logged.mock.calls.filter((c) => String(c[1]).includes('unhandled'))).toEqual([]);
    logged.mockRestore();
    expect((await post(a, body)).status).toBe(200);
    expect(await a.check(blocks.map(sha256))).toEqual([]);
  });
});
