import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assembleFile,
  ContentChangedError,
  CorruptContentError,
  hashFile,
  hashSmallFile,
  SMALL_FILE,
  uploadMissingBlocks,
  uploadMissingBlocksOf,
} from '../../client/src/sdk/blocks.js';
import type { PocketCloudClient } from '../../client/src/sdk/client.js';
import { ApiError } from '../../client/src/sdk/errors.js';
import type { BlockList } from '../../client/src/sdk/types.js';
import { PACK_MAX_BLOCKS } from '../../src/shared/block-pack.js';
import { BLOCK_SIZE, hashBuffer, MAX_CHECK_HASHES } from '../../src/shared/content-hash.js';

/** Block-level assembly of a file (SDK), against a fake server that serves blocks. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pc-blocks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Deterministic bytes that differ per seed. */
function bytes(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4096) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
}

function listOf(data: Buffer, id = 'f'): BlockList {
  const { blocks, contentHash } = hashBuffer(data);
  return { id, revision: 1, size: data.length, contentHash, blocks };
}

/** A fake server holding the blocks of `files`; counts what it serves. */
function blockServer(...files: Buffer[]): { client: PocketCloudClient; served: string[]; corrupt: Set<string> } {
  const store = new Map<string, Buffer>();
  for (const f of files) for (let i = 0; i < f.length; i += BLOCK_SIZE) store.set(sha(f.subarray(i, i + BLOCK_SIZE)), Buffer.from(f.subarray(i, i + BLOCK_SIZE)));
  const served: string[] = [];
  const corrupt = new Set<string>();
  const client = {
    getBlock: (hash: string) => {
      const b = store.get(hash);
      if (!b) return Promise.reject(new ApiError(404, 'BLOCK_NOT_FOUND', 'no'));
      served.push(hash);
      return Promise.resolve(corrupt.has(hash) ? Buffer.concat([b.subarray(1), Buffer.from('x')]) : b);
    },
  } as unknown as PocketCloudClient;
  return { client, served, corrupt };
}

describe('hashing a small file in one read', () => {
  it('gives what hashFile gives, up to SMALL_FILE, and declines a bigger file', async () => {
    for (const size of [0, 1, 2500, SMALL_FILE]) {
      const p = path.join(dir, `f${size}`);
      await writeFile(p, bytes(size, size));
      expect(hashSmallFile(p), `${size} bytes`).toEqual(await hashFile(p));
    }
    const big = path.join(dir, 'big');
    await writeFile(big, bytes(SMALL_FILE + 1, 7));
    expect(hashSmallFile(big)).toBeNull();
  });
});

describe('assembling a file from blocks', () => {
  it('downloads only the blocks no local source holds, and the result is the listed content', async () => {
    const v1 = bytes(2 * BLOCK_SIZE + 1000, 1);
    const v2 = Buffer.from(v1);
    v2.write('a small edit in the second block', BLOCK_SIZE + 10);
    const old = path.join(dir, 'old');
    await writeFile(old, v1);
    const { client, served } = blockServer(v2);
    const list = listOf(v2);
    const dest = path.join(dir, 'new');
    const got = await assembleFile(client, list, dest, {
      local: (hash) => {
        const i = hashBuffer(v1).blocks.indexOf(hash);
        return i >= 0 ? [{ path: old, index: i }] : [];
      },
    });
    expect(served).toEqual([list.blocks[1]]);
    expect(got).toMatchObject({ contentHash: list.contentHash, size: v2.length, downloaded: 1, reused: 2, downloadedBytes: BLOCK_SIZE });
    expect((await readFile(dest)).equals(v2)).toBe(true);
  });

  it('a local source that no longer holds the block is passed over (checked against the hash)', async () => {
    const data = bytes(BLOCK_SIZE + 10, 2);
    const stale = path.join(dir, 'stale');
    await writeFile(stale, bytes(BLOCK_SIZE + 10, 3));
    const { client, served } = blockServer(data);
    const list = listOf(data);
    const dest = path.join(dir, 'out');
    const got = await assembleFile(client, list, dest, { local: () => [{ path: stale, index: 0 }, { path: path.join(dir, 'missing'), index: 0 }] });
    expect(served).toHaveLength(2);
    expect(got.reused).toBe(0);
    expect((await readFile(dest)).equals(data)).toBe(true);
  });

  it('a block repeated in the file is fetched once', async () => {
    const block = bytes(BLOCK_SIZE, 4);
    const data = Buffer.concat([block, block, block, Buffer.from('tail')]);
    const { client, served } = blockServer(data);
    const dest = path.join(dir, 'out');
    await assembleFile(client, listOf(data), dest);
    expect(served).toHaveLength(2);
    expect((await readFile(dest)).equals(data)).toBe(true);
  });

  it('refuses bytes that do not verify: a corrupt block, a list that does not make its content hash', async () => {
    const data = bytes(BLOCK_SIZE + 5, 5);
    const { client, corrupt } = blockServer(data);
    const list = listOf(data);
    corrupt.add(list.blocks[1]!);
    await expect(assembleFile(client, list, path.join(dir, 'a'), { tries: 2 })).rejects.toBeInstanceOf(CorruptContentError);
    await expect(assembleFile(client, { ...list, contentHash: hashBuffer(Buffer.from('other')).contentHash }, path.join(dir, 'b'))).rejects.toBeInstanceOf(
      CorruptContentError,
    );
  });

  it('an empty list makes an empty file', async () => {
    const dest = path.join(dir, 'empty');
    await writeFile(dest, 'leftover');
    await assembleFile(blockServer().client, listOf(Buffer.alloc(0)), dest);
    expect((await readFile(dest)).length).toBe(0);
  });
});

/** A fake server that holds `held` and records what it is asked and sent (`packs`: blocks per pack request). */
function uploadServer(
  held: Iterable<string> = [],
  opts: { packs?: boolean } = {},
): { client: PocketCloudClient; checks: string[][]; puts: [string, Buffer][]; packs: number[]; single: number } {
  const have = new Set(held);
  const checks: string[][] = [];
  const puts: [string, Buffer][] = [];
  const packs: number[] = [];
  const counts = { single: 0 };
  const client = {
    putBlockPack: (blocks: { hash: string; data: Uint8Array }[]) => {
      if (opts.packs === false) return Promise.reject(new ApiError(404, 'ROUTE_NOT_FOUND', 'no such route'));
      packs.push(blocks.length);
      for (const { hash, data } of blocks) {
        puts.push([hash, Buffer.from(data)]);
        have.add(hash);
      }
      return Promise.resolve(blocks.map((b) => ({ hash: b.hash, size: b.data.length, created: true })));
    },
    checkBlocks: (hashes: readonly string[]) => {
      checks.push([...hashes]);
      return Promise.resolve(hashes.filter((h) => !have.has(h)));
    },
    putBlock: (hash: string, data: Uint8Array) => {
      counts.single++;
      puts.push([hash, Buffer.from(data)]);
      have.add(hash);
      return Promise.resolve({ hash, size: data.length, created: true });
    },
  } as unknown as PocketCloudClient;
  return {
    client,
    checks,
    puts,
    packs,
    get single() {
      return counts.single;
    },
  };
}

describe('uploading the blocks of many files at once', () => {
  it('asks once for the whole set and sends each missing block once, from whichever file holds it', async () => {
    const shared = bytes(3000, 7);
    const files = [bytes(1000, 1), shared, Buffer.concat([bytes(BLOCK_SIZE, 2), bytes(500, 3)]), shared];
    const sources = await Promise.all(
      files.map(async (b, i) => {
        const p = path.join(dir, `f${i}`);
        await writeFile(p, b);
        return { source: p, blocks: hashBuffer(b).blocks };
      }),
    );
    const held = sha(files[0]!);
    const { client, checks, puts } = uploadServer([held]);
    const r = await uploadMissingBlocksOf(client, sources, { parallel: 3 });
    expect(checks).toHaveLength(1);
    expect(new Set(checks[0])).toEqual(new Set(sources.flatMap((s) => s.blocks)));
    // Every block but the one held, once each, with its own bytes (the small ones not padded to 4 MiB).
    expect(puts.map(([h]) => h).sort()).toEqual([sha(shared), ...hashBuffer(files[2]!).blocks].sort());
    for (const [h, data] of puts) expect(sha(data)).toBe(h);
    expect(r).toMatchObject({ uploaded: 3, bytes: 3000 + BLOCK_SIZE + 500, changed: new Set() });
  });

  it('small blocks go in packs of at most PACK_MAX_BLOCKS; a full 4 MiB block goes on its own', async () => {
    const files = Array.from({ length: PACK_MAX_BLOCKS + 10 }, (_, i) => bytes(100, 1000 + i));
    const sources = await Promise.all(
      files.map(async (b, i) => {
        const p = path.join(dir, `s${i}`);
        await writeFile(p, b);
        return { source: p, blocks: hashBuffer(b).blocks };
      }),
    );
    const big = bytes(BLOCK_SIZE, 5);
    const server = uploadServer();
    const r = await uploadMissingBlocksOf(server.client, [...sources, { source: big, blocks: hashBuffer(big).blocks }], { parallel: 8 });
    expect(server.packs.sort((a, b) => b - a)).toEqual([PACK_MAX_BLOCKS, 10]);
    expect(server.single).toBe(1);
    expect(r.uploaded).toBe(PACK_MAX_BLOCKS + 11);
    expect(new Set(server.puts.map(([h]) => h)).size).toBe(PACK_MAX_BLOCKS + 11);
  });

  it('a server without block packs gets the blocks one request each', async () => {
    const p = path.join(dir, 'old');
    await writeFile(p, bytes(500, 77));
    const server = uploadServer([], { packs: false });
    const r = await uploadMissingBlocksOf(server.client, [{ source: p, blocks: hashBuffer(bytes(500, 77)).blocks }]);
    expect(r.uploaded).toBe(1);
    expect(server.single).toBe(1);
    expect(server.packs).toEqual([]);
  });

  it('a file changed since it was hashed is reported; a block it shared comes from the other file', async () => {
    const shared = bytes(3000, 9);
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await writeFile(a, shared);
    await writeFile(b, shared);
    const blocks = hashBuffer(shared).blocks;
    await writeFile(a, bytes(3000, 10)); // edited after the scan
    const { client, puts } = uploadServer();
    const r = await uploadMissingBlocksOf(client, [{ source: a, blocks }, { source: b, blocks }]);
    expect(r.changed).toEqual(new Set([0]));
    expect(puts.map(([h]) => h)).toEqual(blocks);
    expect(sha(puts[0]![1])).toBe(blocks[0]);
  });

  it('a file that grew or was deleted since it was hashed is changed, not uploaded', async () => {
    const data = bytes(2000, 11);
    const grew = path.join(dir, 'grew');
    await writeFile(grew, Buffer.concat([data, Buffer.from('more')]));
    const { client, puts } = uploadServer();
    const r = await uploadMissingBlocksOf(client, [
      { source: grew, blocks: hashBuffer(data).blocks },
      { source: path.join(dir, 'gone'), blocks: hashBuffer(bytes(10, 12)).blocks },
    ]);
    expect(r.changed).toEqual(new Set([0, 1]));
    expect(puts).toEqual([]);
    await expect(uploadMissingBlocks(client, grew, hashBuffer(data).blocks)).rejects.toBeInstanceOf(ContentChangedError);
  });

  it('asks about at most MAX_CHECK_HASHES hashes per request', async () => {
    const hashes = Array.from({ length: MAX_CHECK_HASHES + 5 }, (_, i) => sha(Buffer.from(String(i))));
    const { client, checks, puts } = uploadServer(hashes);
    await uploadMissingBlocksOf(client, [{ source: path.join(dir, 'never-read'), blocks: hashes }]);
    expect(checks.map((c) => c.length)).toEqual([MAX_CHECK_HASHES, 5]);
    expect(puts).toEqual([]);
  });
});

describe('hashing a file', () => {
  it('gives the block list of its bytes at every size around the block boundary (small files read into small buffers)', async () => {
    for (const size of [0, 1, 4095, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1]) {
      const data = bytes(size, size);
      const p = path.join(dir, `h${size}`);
      await writeFile(p, data);
      const { blocks, contentHash } = hashBuffer(data);
      expect(await hashFile(p)).toEqual({ blocks, contentHash, size });
    }
  });
});
