import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { S3Client, ListObjectsV2Command, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { BlobIntegrityError, BlobNotFoundError, type BlobStore } from '../../../src/infra/storage/blob-store.js';
import { FsBlobStore } from '../../../src/infra/storage/fs-blob-store.js';
import { S3BlobStore } from '../../../src/infra/storage/s3-blob-store.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Bytes as a stream that arrives in small chunks, like a network body. */
function chunked(b: Buffer, chunk = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
    })(),
  );
}

interface StoreCase {
  name: string;
  make: () => Promise<{ store: BlobStore; inspect: () => Promise<number> }>;
}

const s3cfg = () => inject('s3');
const bucket = `contract-${randomBytes(3).toString('hex')}`;

const cases: StoreCase[] = [
  {
    name: 'filesystem',
    make: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'pc-fs-store-'));
      const store = new FsBlobStore(dir);
      await store.init();
      // Whatever a failed put left behind in the temp area counts as kept.
      return { store, inspect: () => Promise.resolve(readdirSync(path.join(dir, 'tmp')).length) };
    },
  },
  {
    name: 's3 (versitygw over HTTP)',
    make: async () => {
      const c = s3cfg();
      const opts = {
        endpoint: c.endpoint,
        region: c.region,
        bucket,
        credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
        forcePathStyle: true,
        prefix: 'blocks/',
        createBucket: true,
      };
      const store = new S3BlobStore(opts);
      await store.init();
      const raw = new S3Client({ endpoint: c.endpoint, region: c.region, forcePathStyle: true, credentials: opts.credentials });
      return {
        store,
        // Objects outside the blocks/ prefix would be leftovers of a failed put.
        inspect: async () => {
          const all = await raw.send(new ListObjectsV2Command({ Bucket: bucket }));
          return (all.Contents ?? []).filter((o) => !o.Key?.startsWith('blocks/')).length;
        },
      };
    },
  },
];

describe.each(cases)('BlobStore contract: $name', ({ make }) => {
  let store: BlobStore;
  let leftovers: () => Promise<number>;

  beforeAll(async () => {
    const made = await make();
    store = made.store;
    leftovers = () => made.inspect();
  });

  it('stores bytes under their hash and returns them whole', async () => {
    const data = randomBytes(1024 * 1024 + 17);
    const key = sha(data);
    await store.put(key, chunked(data), { sha256: key, size: data.length });
    const back = await buffer(await store.get(key));
    expect(back.equals(data)).toBe(true);
    expect(await store.head(key)).toMatchObject({ key, size: data.length });
  });

  it('stores an empty blob', async () => {
    const data = Buffer.alloc(0);
    const key = sha(data);
    await store.put(key, chunked(data), { sha256: key, size: 0 });
    expect((await buffer(await store.get(key))).length).toBe(0);
  });

  it('serves an inclusive byte range', async () => {
    const data = randomBytes(300_000);
    const key = sha(data);
    await store.put(key, chunked(data), { sha256: key, size: data.length });
    const part = await buffer(await store.get(key, { start: 1000, end: 199_999 }));
    expect(part.equals(data.subarray(1000, 200_000))).toBe(true);
    const last = await buffer(await store.get(key, { start: data.length - 1, end: data.length - 1 }));
    expect(last.equals(data.subarray(data.length - 1))).toBe(true);
  });

  it('refuses bytes that do not match the hash and keeps nothing', async () => {
    const data = randomBytes(200_000);
    const claimed = sha(randomBytes(10));
    await expect(store.put(claimed, chunked(data), { sha256: claimed, size: data.length })).rejects.toBeInstanceOf(
      BlobIntegrityError,
    );
    expect(await store.head(claimed)).toBeNull();
    expect(await leftovers()).toBe(0);
  });

  it('refuses a body longer than declared and keeps nothing', async () => {
    const data = randomBytes(100_000);
    const key = sha(data.subarray(0, 50_000));
    await expect(store.put(key, chunked(data), { sha256: key, size: 50_000 })).rejects.toBeInstanceOf(BlobIntegrityError);
    expect(await store.head(key)).toBeNull();
    expect(await leftovers()).toBe(0);
  });

  it('refuses a body shorter than declared and keeps nothing', async () => {
    const data = randomBytes(50_000);
    const key = sha(data);
    await expect(store.put(key, chunked(data.subarray(0, 20_000)), { sha256: key, size: 50_000 })).rejects.toBeInstanceOf(
      BlobIntegrityError,
    );
    expect(await store.head(key)).toBeNull();
    expect(await leftovers()).toBe(0);
  });

  it('stores bytes handed over whole (a pack\'s small blocks), and refuses wrong ones keeping nothing', async () => {
    const data = randomBytes(3000);
    const key = sha(data);
    await store.put(key, data, { sha256: key, size: data.length });
    await store.put(key, data, { sha256: key, size: data.length }); // again: harmless
    expect((await buffer(await store.get(key))).equals(data)).toBe(true);
    const empty = Buffer.alloc(0);
    await store.put(sha(empty), empty, { sha256: sha(empty), size: 0 });
    expect(await store.head(sha(empty))).toMatchObject({ size: 0 });

    const claimed = sha(randomBytes(10));
    const wrongHash = store.put(claimed, data, { sha256: claimed, size: data.length });
    await expect(wrongHash).rejects.toMatchObject({ name: 'BlobIntegrityError', reason: 'hash' });
    const other = randomBytes(3000);
    const wrongSize = store.put(sha(other), other, { sha256: sha(other), size: 2999 });
    await expect(wrongSize).rejects.toMatchObject({ name: 'BlobIntegrityError', reason: 'size' });
    expect(await store.head(claimed)).toBeNull();
    expect(await store.head(sha(other))).toBeNull();
    expect(await leftovers()).toBe(0);
  });

  it('does not keep a put whose body stream fails midway', async () => {
    const data = randomBytes(300_000);
    const key = sha(data);
    const failing = new Readable({
      read() {
        this.push(data.subarray(0, 100_000));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put(key, failing, { sha256: key, size: data.length })).rejects.toThrow();
    expect(await store.head(key)).toBeNull();
    expect(await leftovers()).toBe(0);
  });

  it('writing the same blob twice is harmless', async () => {
    const data = randomBytes(10_000);
    const key = sha(data);
    await store.put(key, chunked(data), { sha256: key, size: data.length });
    await store.put(key, chunked(data), { sha256: key, size: data.length });
    expect((await buffer(await store.get(key))).equals(data)).toBe(true);
  });

  it('reports a missing blob clearly', async () => {
    const key = sha(randomBytes(8));
    expect(await store.head(key)).toBeNull();
    await expect(store.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('deletes, and deleting a missing blob is not an error', async () => {
    const data = randomBytes(1000);
    const key = sha(data);
    await store.put(key, chunked(data), { sha256: key, size: data.length });
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await store.delete(key);
  });

  it('lists every stored blob with its size', async () => {
    const blobs = [randomBytes(10), randomBytes(2000), randomBytes(30_000)];
    for (const b of blobs) await store.put(sha(b), chunked(b), { sha256: sha(b), size: b.length });
    const listed = new Map<string, number>();
    for await (const info of store.list()) listed.set(info.key, info.size);
    for (const b of blobs) expect(listed.get(sha(b))).toBe(b.length);
  });

  it('rejects keys that could escape the store', async () => {
    await expect(store.head('../../etc/passwd')).rejects.toThrow(/invalid blob key/);
    await expect(store.put('a/b', chunked(Buffer.alloc(1)), { sha256: 'x', size: 1 })).rejects.toThrow(/invalid blob key/);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('S3BlobStore bucket handling', () => {
  it('creates a missing bucket, and a second init is harmless', async () => {
    const c = s3cfg();
    const name = `created-${randomBytes(3).toString('hex')}`;
    const credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
    const opts = { endpoint: c.endpoint, region: c.region, bucket: name, credentials, forcePathStyle: true, prefix: '', createBucket: true };
    await new S3BlobStore(opts).init();
    const again = new S3BlobStore(opts);
    await again.init();
    await again.ping();
    const raw = new S3Client({ endpoint: c.endpoint, region: c.region, forcePathStyle: true, credentials });
    await raw.send(new DeleteBucketCommand({ Bucket: name }));
  });

  it('fails init on a missing bucket when creation is off', async () => {
    const c = s3cfg();
    const store = new S3BlobStore({
      endpoint: c.endpoint,
      region: c.region,
      bucket: `absent-${randomBytes(3).toString('hex')}`,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
      forcePathStyle: true,
      prefix: '',
      createBucket: false,
    });
    await expect(store.init()).rejects.toThrow();
  });

  it('fails with wrong credentials', async () => {
    const c = s3cfg();
    const store = new S3BlobStore({
      endpoint: c.endpoint,
      region: c.region,
      bucket,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: 'wrong-secret' },
      forcePathStyle: true,
      prefix: 'blocks/',
      createBucket: true,
    });
    await expect(store.ping()).rejects.toThrow();
  });
});


describe('FsBlobStore directories', () => {
  it('puts into a directory removed behind its back after it made it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pc-fs-store-'));
    const store = new FsBlobStore(dir);
    await store.init();
    const first = randomBytes(100);
    await store.put(sha(first), Readable.from([first]), { sha256: sha(first), size: first.length });
    rmSync(path.join(dir, sha(first).slice(0, 2)), { recursive: true });
    await store.put(sha(first), Readable.from([first]), { sha256: sha(first), size: first.length });
    expect(await buffer(await store.get(sha(first)))).toEqual(first);
  });

  it('keeps new blobs one directory deep, and finds, lists and deletes those of the earlier two-level layout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pc-fs-store-'));
    const store = new FsBlobStore(dir);
    await store.init();
    const fresh = randomBytes(100);
    await store.put(sha(fresh), fresh, { sha256: sha(fresh), size: fresh.length });
    expect(readFileSync(path.join(dir, sha(fresh).slice(0, 2), sha(fresh)))).toEqual(fresh);
    // Written by a server of the earlier layout.
    const old = randomBytes(300);
    const key = sha(old);
    mkdirSync(path.join(dir, key.slice(0, 2), key.slice(2, 4)), { recursive: true });
    writeFileSync(path.join(dir, key.slice(0, 2), key.slice(2, 4), key), old);
    expect(await buffer(await store.get(key))).toEqual(old);
    expect(await buffer(await store.get(key, { start: 10, end: 19 }))).toEqual(old.subarray(10, 20));
    expect(await store.head(key)).toMatchObject({ key, size: 300 });
    const listed = new Map<string, number>();
    for await (const b of store.list()) listed.set(b.key, b.size);
    expect(listed).toEqual(new Map([[sha(fresh), 100], [key, 300]]));
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await expect(store.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });
});
