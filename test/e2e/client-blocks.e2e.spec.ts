import { createCipheriv, createHash } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DownloadStats } from '../../client/src/sdk/client.js';
import { BLOCK_SIZE, hashBuffer } from '../../src/shared/content-hash.js';
import { uuidv7 } from '../../src/shared/ids.js';
import { useSimWorld } from '../support/sim-world.js';
import type { SimDevice } from '../support/sync-sim.js';

/**
 * Block-level downloads (GET /v1/files/blocks + GET /v1/blocks/:hash) and batches with
 * stopOnError, through the real SDK and engine against the real server.
 */
const { device, expectConverged } = useSimWorld('client-blocks');

/** Incompressible, reproducible bytes. */
function noise(size: number, seed: string): Buffer {
  return createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** Overwrites a few bytes in place (the inode stays: an editor saving in place). */
async function patch(file: string, at: number, text: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.write(Buffer.from(text), 0, Buffer.byteLength(text), at);
  } finally {
    await fh.close();
  }
}

/** What a device downloads during `fn`. */
async function downloadsDuring(d: SimDevice, fn: () => Promise<unknown>): Promise<DownloadStats> {
  const before = { ...d.client.downloads };
  await fn();
  const after = d.client.downloads;
  return { contentRequests: after.contentRequests - before.contentRequests, blockRequests: after.blockRequests - before.blockRequests, bytes: after.bytes - before.bytes };
}

describe('block-level downloads', () => {
  it('after a one-block edit of a 3-block file on A, B downloads about one block, not the file', async () => {
    const a = await device('A');
    const b = await device('B');
    await a.sync();
    await b.sync();
    const size = 2 * BLOCK_SIZE + 1024 * 1024; // 9 MiB: blocks of 4, 4 and 1 MiB
    await writeFile(path.join(a.root, 'big.bin'), noise(size, 'v1'));
    await a.sync();
    const first = await downloadsDuring(b, () => b.sync());
    expect(first).toEqual({ contentRequests: 0, blockRequests: 3, bytes: size });

    // A edits the middle block in place; A uploads one block, B downloads one block.
    await patch(path.join(a.root, 'big.bin'), BLOCK_SIZE + 4321, 'a small edit in the middle block');
    const puts = a.blockUploads;
    await a.sync();
    expect(a.blockUploads - puts).toBe(1);
    const second = await downloadsDuring(b, () => b.sync());
    expect(second).toEqual({ contentRequests: 0, blockRequests: 1, bytes: BLOCK_SIZE });
    expect(hashBuffer(await readFile(path.join(b.root, 'big.bin'))).contentHash).toBe(hashBuffer(await readFile(path.join(a.root, 'big.bin'))).contentHash);
    await expectConverged(a, b);

    // B's state forgot the block lists (a state from before they were kept): B hashes its old
    // file instead, and still downloads only the changed (last, 1 MiB) block.
    b.store.db.prepare('DELETE FROM content_blocks').run();
    b.restart();
    await patch(path.join(a.root, 'big.bin'), size - 10, 'tail!');
    await a.sync();
    const third = await downloadsDuring(b, () => b.sync());
    expect(third).toEqual({ contentRequests: 0, blockRequests: 1, bytes: 1024 * 1024 });
    await expectConverged(a, b);

    // The other way round: B edits the first block, A (whose block lists came from its own
    // scans and uploads) downloads one block.
    await patch(path.join(b.root, 'big.bin'), 17, 'edited on B');
    await b.sync();
    const fourth = await downloadsDuring(a, () => a.sync());
    expect(fourth).toEqual({ contentRequests: 0, blockRequests: 1, bytes: BLOCK_SIZE });
    await expectConverged(a, b);
  });

  it('small files (one block) are still downloaded whole: one request', async () => {
    const a = await device('small-a');
    const b = await device('small-b');
    await a.sync();
    await b.sync();
    await writeFile(path.join(a.root, 'note.txt'), 'just a note');
    await a.sync();
    const got = await downloadsDuring(b, () => b.sync());
    expect(got).toEqual({ contentRequests: 1, blockRequests: 0, bytes: Buffer.byteLength('just a note') });
    await expectConverged(a, b);
  });

  it('the SDK reads block lists and single blocks of your own files', async () => {
    const a = await device('lists');
    await a.sync();
    const data = noise(BLOCK_SIZE + 99, 'list');
    await writeFile(path.join(a.root, 'two-blocks.bin'), data);
    await a.sync();
    const e = (await a.client.list({ path: '/' })).find((x) => x.name === 'two-blocks.bin')!;
    const list = await a.client.blockList(e.id);
    expect(list).toMatchObject({ id: e.id, size: data.length, contentHash: hashBuffer(data).contentHash, blocks: hashBuffer(data).blocks });
    expect((await a.client.getBlock(list.blocks[1]!)).equals(data.subarray(BLOCK_SIZE))).toBe(true);
    await expect(a.client.blockList(uuidv7())).rejects.toMatchObject({ status: 404 });
  });
});

describe('batches with stopOnError', () => {
  it('everything after the first failure is skipped (424 SKIPPED) and changes nothing', async () => {
    const a = await device('batch');
    const ns = a.session.load()!.ns;
    const { cursor } = await a.client.latest();
    const results = await a.client.batch(
      [
        { type: 'createFolder', parentId: ns, name: 'first', baseCursor: cursor, opId: uuidv7() },
        { type: 'move', id: uuidv7(), name: 'nowhere', baseCursor: cursor, opId: uuidv7() },
        { type: 'createFolder', parentId: ns, name: 'never', baseCursor: cursor, opId: uuidv7() },
      ],
      { stopOnError: true },
    );
    expect(results.map((r) => r.status)).toEqual([201, 404, 424]);
    expect(results[2]!.error?.code).toBe('SKIPPED');
    const names = (await a.client.list({ path: '/' })).map((x) => x.name);
    expect(names).toContain('first');
    expect(names).not.toContain('never');
  });
});
