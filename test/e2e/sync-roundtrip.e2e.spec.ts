import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../src/shared/content-hash.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { blocksOf, contentHashOf, MiB, sha256 } from '../support/bytes.js';
import { Device, newDevice } from '../support/device.js';

const SIZES: [string, number][] = [
  ['0 B', 0],
  ['1 B', 1],
  ['4 MiB - 1', 4 * MiB - 1],
  ['4 MiB', 4 * MiB],
  ['4 MiB + 1', 4 * MiB + 1],
  ['50 MiB', 50 * MiB],
];

describe.each(['fs', 's3'] as const)('sync round trips on the %s blob store (e2e)', (store) => {
  let t: TestApp;
  let d: Device;
  // The server runs in this process: its warnings (e.g. listeners piling up on a response
  // streamed block by block) show up here.
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

  beforeAll(async () => {
    process.on('warning', onWarning);
    t = await startTestApp(testConfig(`sync_rt_${store}`, store));
    ({ device: d } = await newDevice(t.api));
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await t?.close();
  });

  describe('byte-identical upload, commit and download', () => {
    it.each(SIZES)('%s', async (label, size) => {
      // An account of its own: a random one-byte tail block (4 MiB + 1) may equal one an
      // earlier case already uploaded, which the check then rightly calls held.
      const { device: d } = await newDevice(t.api);
      const data = randomBytes(size);
      const blocks = blocksOf(data);
      expect(blocks).toHaveLength(Math.ceil(size / BLOCK_SIZE));

      // A device asks what to send, sends exactly that, block by block.
      const missing = await d.check(blocks);
      expect(missing).toEqual(blocks);
      for (let i = 0; i < blocks.length; i++) {
        const put = await d.putBlock(blocks[i]!, data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
        expect(put.status, JSON.stringify(put.raw)).toBe(201);
        expect(put.body).toEqual({ hash: blocks[i], size: Math.min(BLOCK_SIZE, size - i * BLOCK_SIZE), created: true });
      }
      expect(await d.check(blocks)).toEqual([]);

      const name = `file ${label}.bin`;
      const c = await d.commit({ path: `/${name}`, blocks, size, mtime: '2024-05-06T07:08:09.000Z' });
      expect(c.status, JSON.stringify(c.raw)).toBe(201);
      expect(c.body.entry).toMatchObject({ name, path: `/${name}`, kind: 'file', size, contentHash: contentHashOf(data), deleted: false });
      expect(c.body.seq).toBeGreaterThan(0);

      for (const query of [{ id: c.body.entry.id }, { path: `/${name}` }]) {
        const dl = await d.download(query);
        expect(dl.status).toBe(200);
        expect(dl.headers.get('content-length')).toBe(String(size));
        expect(dl.headers.get('etag')).toBe(`"${contentHashOf(data)}"`);
        expect(dl.body.length).toBe(size);
        // Compare hashes first: a mismatch on 50 MiB is unreadable as a buffer diff.
        expect(sha256(dl.body)).toBe(sha256(data));
        expect(dl.body.equals(data)).toBe(true);
      }

      const meta = await d.get('/v1/files/metadata', { id: c.body.entry.id });
      expect(meta.status).toBe(200);
      expect(meta.body).toMatchObject({ size, contentHash: contentHashOf(data), mtime: '2024-05-06T07:08:09.000Z' });
    });

    it('streams many-block downloads without piling listeners on the response', () => {
      // The 50 MiB download above went through 13 blocks.
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    });

    it('the empty file has the content hash of nothing', async () => {
      const c = await d.commit({ path: '/empty.txt', blocks: [], size: 0 });
      expect(c.status).toBe(201);
      expect(c.body.entry.contentHash).toBe(sha256(Buffer.alloc(0)));
    });
  });

  describe('range downloads, ETag and HEAD', () => {
    // Three blocks: 4 MiB, 4 MiB, 1234 bytes.
    const size = 2 * BLOCK_SIZE + 1234;
    let data: Buffer;
    let id: string;
    let etag: string;

    beforeAll(async () => {
      data = randomBytes(size);
      const c = await d.putFile({ path: '/ranges.bin' }, data);
      expect(c.status, JSON.stringify(c.raw)).toBe(201);
      id = c.body.entry.id;
      etag = `"${contentHashOf(data)}"`;
    });

    const ranges: [string, string, number, number][] = [
      ['the first bytes', 'bytes=0-9', 0, 9],
      ['one byte', 'bytes=5-5', 5, 5],
      ['a range crossing the first block boundary', `bytes=${BLOCK_SIZE - 10}-${BLOCK_SIZE + 9}`, BLOCK_SIZE - 10, BLOCK_SIZE + 9],
      ['a range spanning all three blocks', `bytes=1-${size - 2}`, 1, size - 2],
      ['exactly the second block', `bytes=${BLOCK_SIZE}-${2 * BLOCK_SIZE - 1}`, BLOCK_SIZE, 2 * BLOCK_SIZE - 1],
      ['an open range from inside the first block', `bytes=${BLOCK_SIZE - 3}-`, BLOCK_SIZE - 3, size - 1],
      ['an open range in the last block', `bytes=${size - 100}-`, size - 100, size - 1],
      ['a suffix crossing a boundary', `bytes=-${1234 + 50}`, size - 1234 - 50, size - 1],
      ['a suffix longer than the file', `bytes=-${size + 10}`, 0, size - 1],
      ['an end past the size (clipped)', `bytes=${size - 5}-${size + 1000}`, size - 5, size - 1],
    ];

    it.each(ranges)('serves %s (%s) as 206 with Content-Range', async (_name, header, start, end) => {
      const dl = await d.download({ id }, { range: header });
      expect(dl.status).toBe(206);
      expect(dl.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(dl.headers.get('content-length')).toBe(String(end - start + 1));
      expect(dl.headers.get('etag')).toBe(etag);
      expect(dl.body.length).toBe(end - start + 1);
      expect(dl.body.equals(data.subarray(start, end + 1))).toBe(true);
    });

    it.each([
      ['a start at the size', `bytes=${size}-`],
      ['a start past the size', `bytes=${size + 100}-${size + 200}`],
      ['an empty suffix', 'bytes=-0'],
    ])('answers %s with 416 and "bytes */size"', async (_name, header) => {
      const dl = await d.download({ id }, { range: header });
      expect(dl.status).toBe(416);
      expect(dl.headers.get('content-range')).toBe(`bytes */${size}`);
      const body = JSON.parse(dl.body.toString('utf8'));
      expect(body).toMatchObject({ statusCode: 416, code: 'RANGE_NOT_SATISFIABLE', details: { size } });
    });

    it('ignores a range it does not serve (several ranges) and answers with the whole file', async () => {
      const dl = await d.download({ id }, { range: 'bytes=0-1,5-6' });
      expect(dl.status).toBe(200);
      expect(dl.body.equals(data)).toBe(true);
    });

    it('uses the quoted content hash as ETag and answers If-None-Match with 304', async () => {
      const full = await d.download({ id });
      expect(full.status).toBe(200);
      expect(full.headers.get('etag')).toBe(etag);
      expect(full.headers.get('accept-ranges')).toBe('bytes');
      expect(full.headers.get('content-type')).toBe('application/octet-stream');
      expect(full.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''ranges.bin");

      const same = await d.download({ id }, { 'if-none-match': etag });
      expect(same.status).toBe(304);
      expect(same.body.length).toBe(0);

      const other = await d.download({ id }, { 'if-none-match': `"${'0'.repeat(64)}"` });
      expect(other.status).toBe(200);
      expect(other.body.equals(data)).toBe(true);
    });

    it('serves a range under If-Range only while the ETag still matches', async () => {
      const fresh = await d.download({ id }, { range: 'bytes=0-3', 'if-range': etag });
      expect(fresh.status).toBe(206);
      expect(fresh.body.equals(data.subarray(0, 4))).toBe(true);
      const stale = await d.download({ id }, { range: 'bytes=0-3', 'if-range': `"${'1'.repeat(64)}"` });
      expect(stale.status).toBe(200);
      expect(stale.body.equals(data)).toBe(true);
    });

    it('answers HEAD with the headers of the download and no body', async () => {
      const h = await d.head({ id });
      expect(h.status).toBe(200);
      expect(h.headers.get('content-length')).toBe(String(size));
      expect(h.headers.get('etag')).toBe(etag);
      expect(h.headers.get('accept-ranges')).toBe('bytes');
      expect(h.body.length).toBe(0);

      const hr = await d.head({ id }, { range: `bytes=${BLOCK_SIZE - 1}-${BLOCK_SIZE}` });
      expect(hr.status).toBe(206);
      expect(hr.headers.get('content-range')).toBe(`bytes ${BLOCK_SIZE - 1}-${BLOCK_SIZE}/${size}`);
      expect(hr.headers.get('content-length')).toBe('2');
      expect(hr.body.length).toBe(0);

      const hn = await d.head({ id }, { 'if-none-match': etag });
      expect(hn.status).toBe(304);
    });

    it('refuses to download a folder', async () => {
      const f = await d.mkdir({ path: '/not-a-file' });
      expect(f.status).toBe(201);
      const dl = await d.download({ id: f.body.entry.id });
      expect(dl.status).toBe(400);
      expect(JSON.parse(dl.body.toString('utf8')).code).toBe('NOT_A_FILE');
    });
  });
});
