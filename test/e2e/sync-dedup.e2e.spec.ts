import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../src/shared/content-hash.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { blocksOf, MiB } from '../support/bytes.js';
import { Device, newDevice } from '../support/device.js';
import { storedBlobKeys } from '../support/stored-blobs.js';

describe.each(['fs', 's3'] as const)('dedup and block ownership on the %s blob store (e2e)', (store) => {
  let t: TestApp;
  let a: Device;
  let b: Device;
  const stored = () => storedBlobKeys(t.config);

  beforeAll(async () => {
    t = await startTestApp(testConfig(`sync_dedup_${store}`, store));
    ({ device: a } = await newDevice(t.api));
    ({ device: b } = await newDevice(t.api));
  });
  afterAll(() => t?.close());

  describe('dedup', () => {
    it('stores each block once: a second commit of the same content uploads nothing', async () => {
      const data = randomBytes(BLOCK_SIZE + 1000);
      const hashes = blocksOf(data);
      const before = await stored();

      const first = await a.uploadBlocks(data);
      expect(first.uploaded).toBe(2);
      expect(await stored()).toEqual([...before, ...hashes].sort());
      const c1 = await a.commit({ path: '/original.bin', blocks: hashes, size: data.length });
      expect(c1.status).toBe(201);

      // The same bytes again, under another name: check says nothing is missing.
      expect(await a.check(hashes)).toEqual([]);
      const second = await a.uploadBlocks(data);
      expect(second.uploaded).toBe(0);
      const c2 = await a.commit({ path: '/copy.bin', blocks: hashes, size: data.length });
      expect(c2.status).toBe(201);
      expect(c2.body.entry.contentHash).toBe(c1.body.entry.contentHash);
      expect(await stored()).toEqual([...before, ...hashes].sort());

      const dl = await a.download({ id: c2.body.entry.id });
      expect(dl.body.equals(data)).toBe(true);
    });

    it('answers a re-upload of a block the user holds with 200 created=false', async () => {
      const data = randomBytes(1000);
      const [hash] = blocksOf(data);
      expect((await a.putBlock(hash!, data)).status).toBe(201);
      const again = await a.putBlock(hash!, data);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ hash, size: 1000, created: false });
    });

    it('stores a block repeated inside one file once, and lists it once as missing', async () => {
      const block = randomBytes(BLOCK_SIZE);
      const data = Buffer.concat([block, block, block.subarray(0, 10)]);
      const hashes = blocksOf(data);
      expect(hashes[0]).toBe(hashes[1]);
      const before = await stored();
      expect(await a.check(hashes)).toEqual([hashes[0], hashes[2]]);
      const up = await a.uploadBlocks(data);
      expect(up.uploaded).toBe(2);
      expect((await stored()).length).toBe(before.length + 2);
      const c = await a.commit({ path: '/repeated.bin', blocks: hashes, size: data.length });
      expect(c.status).toBe(201);
      expect((await a.download({ id: c.body.entry.id })).body.equals(data)).toBe(true);
    });

    it('makes another user upload the bytes themselves, but still keeps one object', async () => {
      const data = randomBytes(2 * BLOCK_SIZE + 7);
      const hashes = blocksOf(data);
      await a.uploadBlocks(data);
      expect((await a.commit({ path: '/shared-content.bin', blocks: hashes, size: data.length })).status).toBe(201);
      const afterA = await stored();
      for (const h of hashes) expect(afterA).toContain(h);

      // For B the blocks are missing: the answer must not reveal that A stores them.
      expect(await b.check(hashes)).toEqual(hashes);
      for (let i = 0; i < hashes.length; i++) {
        const put = await b.putBlock(hashes[i]!, data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
        expect(put.status).toBe(201);
        expect(put.body.created).toBe(true);
      }
      expect(await b.check(hashes)).toEqual([]);
      expect(await stored()).toEqual(afterA);

      const c = await b.commit({ path: '/mine-too.bin', blocks: hashes, size: data.length });
      expect(c.status).toBe(201);
      expect((await b.download({ id: c.body.entry.id })).body.equals(data)).toBe(true);
    });

    it('refuses wrong bytes for a hash that is already stored, and B still holds nothing', async () => {
      const data = randomBytes(5000);
      const [hash] = blocksOf(data);
      expect((await a.putBlock(hash!, data)).status).toBe(201);
      const before = await stored();
      const forged = Buffer.from(data);
      forged[0] = forged[0]! ^ 0xff;
      const put = await b.putBlock(hash!, forged);
      expect(put.status).toBe(400);
      expect(put.error.code).toBe('HASH_MISMATCH');
      expect(await b.check([hash!])).toEqual([hash]);
      expect(await stored()).toEqual(before);
      // A's copy was not touched.
      const c = await a.commit({ path: '/still-intact.bin', blocks: [hash!], size: data.length });
      expect(c.status).toBe(201);
      expect((await a.download({ id: c.body.entry.id })).body.equals(data)).toBe(true);
    });
  });

  describe('Dropship: a hash alone grants nothing', () => {
    let data: Buffer;
    let hashes: string[];
    let fileId: string;

    beforeAll(async () => {
      data = randomBytes(4 * MiB + 300);
      hashes = blocksOf(data);
      const c = await a.putFile({ path: '/secret.bin' }, data);
      expect(c.status).toBe(201);
      fileId = c.body.entry.id;
    });

    it('refuses B a commit of blocks only A uploaded, listing the hashes, and changes nothing', async () => {
      await b.latest();
      const head = await b.headSeq();
      const res = await b.commit({ path: '/stolen.bin', blocks: hashes, size: data.length });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('BLOCKS_MISSING');
      expect([...(res.error.details?.missing as string[])].sort()).toEqual([...hashes].sort());
      expect(await b.headSeq()).toBe(head);
      expect((await b.get('/v1/files/metadata', { path: '/stolen.bin' })).status).toBe(404);
    });

    it('lists only the blocks B lacks when B holds some of them', async () => {
      const first = data.subarray(0, BLOCK_SIZE);
      expect((await b.putBlock(hashes[0]!, first)).status).toBe(201);
      const res = await b.commit({ path: '/half-stolen.bin', blocks: hashes, size: data.length });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('BLOCKS_MISSING');
      expect(res.error.details?.missing).toEqual([hashes[1]]);
    });

    it("answers B's download of A's block with 404 BLOCK_NOT_FOUND, exactly as for a hash nobody has", async () => {
      const theirs = await b.get('/v1/blocks/{hash}', undefined, { hash: hashes[1]! });
      expect(theirs.status).toBe(404);
      expect(theirs.error.code).toBe('BLOCK_NOT_FOUND');
      const nobodys = await b.get('/v1/blocks/{hash}', undefined, { hash: 'a'.repeat(64) });
      expect(nobodys.status).toBe(404);
      expect(nobodys.error.code).toBe(theirs.error.code);
      expect(nobodys.error.message).toBe(theirs.error.message);
      // Holding the bytes of a block is not referencing it: B uploaded block 0 but has no file using it.
      const uploadedOnly = await b.get('/v1/blocks/{hash}', undefined, { hash: hashes[0]! });
      expect(uploadedOnly.status).toBe(404);
      expect(uploadedOnly.error.code).toBe('BLOCK_NOT_FOUND');
    });

    it("reports A's blocks as missing to B's check", async () => {
      expect(await b.check([hashes[1]!])).toEqual([hashes[1]]);
    });

    it('serves A the blocks of its files, and again once the file is in the trash', async () => {
      for (let i = 0; i < hashes.length; i++) {
        const res = await fetch(`${t.url}/v1/blocks/${hashes[i]}`, { headers: { authorization: `Bearer ${a.token}` } });
        expect(res.status).toBe(200);
        expect(res.headers.get('etag')).toBe(`"${hashes[i]}"`);
        expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE))).toBe(true);
      }
      await a.latest();
      const del = await a.remove({ id: fileId });
      expect(del.status).toBe(201);
      expect(del.body.entry.deleted).toBe(true);
      const res = await fetch(`${t.url}/v1/blocks/${hashes[1]}`, { headers: { authorization: `Bearer ${a.token}` } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(BLOCK_SIZE))).toBe(true);
    });

    it('serves A the blocks of an old version of a file', async () => {
      const v1 = randomBytes(777);
      const c1 = await a.putFile({ path: '/versioned.txt' }, v1);
      expect(c1.status).toBe(201);
      await a.latest();
      const v2 = await a.putFile({ path: '/versioned.txt' }, randomBytes(888));
      expect(v2.status).toBe(201);
      expect(v2.body.entry.id).toBe(c1.body.entry.id);
      const res = await fetch(`${t.url}/v1/blocks/${blocksOf(v1)[0]}`, { headers: { authorization: `Bearer ${a.token}` } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(v1)).toBe(true);
    });

    it('refuses a malformed hash on download with 400 INVALID_HASH', async () => {
      const res = await a.get('/v1/blocks/{hash}', undefined, { hash: 'not-a-hash' });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('INVALID_HASH');
    });
  });
});
