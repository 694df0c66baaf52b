import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PocketCloudClient } from '../../client/src/sdk/client.js';
import { ApiError } from '../../client/src/sdk/errors.js';
import { SyncStore } from '../../client/src/state/store.js';
import { RemoteApplier, type RemoteState } from '../../client/src/sync/apply.js';
import { BLOCK_SIZE, hashBuffer } from '../../src/shared/content-hash.js';
import { ROOT } from './helpers.js';

/** Delta application against a real folder, with a fake server that serves file contents. */
let dir: string;
let root: string;
let store: SyncStore;
const contents = new Map<string, string | Buffer>();
/** What the fake server served, and faults it can have. */
const served = { content: 0, blocks: 0, blockBytes: 0, lists: 0 };
const faults = { noBlockList: false, noBlocks: false };
const bufOf = (id: string): Buffer | undefined => {
  const c = contents.get(id);
  return c === undefined ? undefined : Buffer.from(c);
};
const fakeClient = {
  download: (id: string) => {
    const c = bufOf(id);
    if (c === undefined) return Promise.reject(new ApiError(404, 'NODE_NOT_FOUND', 'gone'));
    served.content++;
    return Promise.resolve({ stream: Readable.from([c]), contentHash: hashBuffer(c).contentHash, size: c.length });
  },
  blockList: (id: string) => {
    const c = bufOf(id);
    if (faults.noBlockList) return Promise.reject(new ApiError(404, 'ROUTE_NOT_FOUND', 'an older server'));
    if (c === undefined) return Promise.reject(new ApiError(404, 'NODE_NOT_FOUND', 'gone'));
    served.lists++;
    const { blocks, contentHash } = hashBuffer(c);
    return Promise.resolve({ id, revision: 1, size: c.length, contentHash, blocks });
  },
  getBlock: (hash: string) => {
    for (const c of contents.values()) {
      const b = Buffer.from(c);
      for (let i = 0; i < b.length; i += BLOCK_SIZE) {
        const block = b.subarray(i, i + BLOCK_SIZE);
        if (!faults.noBlocks && createHash('sha256').update(block).digest('hex') === hash) {
          served.blocks++;
          served.blockBytes += block.length;
          return Promise.resolve(Buffer.from(block));
        }
      }
    }
    return Promise.reject(new ApiError(404, 'BLOCK_NOT_FOUND', 'no such block'));
  },
} as unknown as PocketCloudClient;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pc-apply-'));
  root = path.join(dir, 'folder');
  await mkdir(root);
  store = new SyncStore(path.join(dir, 'sync.db'));
  contents.clear();
  Object.assign(served, { content: 0, blocks: 0, blockBytes: 0, lists: 0 });
  Object.assign(faults, { noBlockList: false, noBlocks: false });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
function file(id: string, parentId: string, name: string, text: string | Buffer, deleted = false): RemoteState {
  contents.set(id, text);
  const b = Buffer.from(text);
  return { id, parentId, name, kind: 'file', rev: ++seq, size: b.length, contentHash: hashBuffer(b).contentHash, mtime: null, deleted };
}
function folder(id: string, parentId: string, name: string, deleted = false): RemoteState {
  return { id, parentId, name, kind: 'folder', rev: ++seq, size: 0, contentHash: null, mtime: null, deleted };
}
const apply = (states: RemoteState[], beforeFsStep?: (w: string) => void) =>
  new RemoteApplier({ client: fakeClient, store, root, ns: ROOT, deviceName: 'phone', beforeFsStep, log: () => undefined }).apply(states, 'delta');
const ls = async (rel = ''): Promise<string[]> => (await readdir(path.join(root, rel))).sort();
const read = (rel: string): Promise<string> => readFile(path.join(root, rel), 'utf8');

describe('applying the delta to the folder', () => {
  it('creates, renames, moves and deletes files and folders', async () => {
    await apply([folder('d', ROOT, 'docs'), file('f', 'd', 'a.txt', 'A'), file('g', ROOT, 'g.txt', 'G')]);
    expect(await ls()).toEqual(['docs', 'g.txt']);
    expect(await read('docs/a.txt')).toBe('A');
    await apply([folder('d', ROOT, 'papers'), file('g', 'd', 'g2.txt', 'G')]);
    expect(await ls()).toEqual(['papers']);
    expect(await ls('papers')).toEqual(['a.txt', 'g2.txt']);
    await apply([folder('d', ROOT, 'papers', true), file('f', 'd', 'a.txt', 'A', true), file('g', 'd', 'g2.txt', 'G', true)]);
    expect(await ls()).toEqual([]);
    expect(store.nodeCount()).toBe(0);
  });

  it('never overwrites a local edit it has not uploaded: the edit is kept as a conflicted copy', async () => {
    await apply([file('f', ROOT, 'notes.txt', 'v1')]);
    await writeFile(path.join(root, 'notes.txt'), 'my unsynced edit');
    const r = await apply([file('f', ROOT, 'notes.txt', 'v2 from the server')]);
    expect(r.localConflicts).toBe(1);
    const names = await ls();
    expect(names).toHaveLength(2);
    expect(await read('notes.txt')).toBe('v2 from the server');
    const copy = names.find((n) => n !== 'notes.txt')!;
    expect(copy).toMatch(/^notes \(conflicted copy phone \d{4}-\d{2}-\d{2}\)\.txt$/);
    expect(await read(copy)).toBe('my unsynced edit');
    expect(store.localConflicts()).toHaveLength(1);
  });

  it('never deletes a local edit it has not uploaded: the file stays (and is uploaded as new)', async () => {
    await apply([folder('d', ROOT, 'dir'), file('f', 'd', 'x.txt', 'v1')]);
    await writeFile(path.join(root, 'dir/x.txt'), 'edited offline');
    await apply([folder('d', ROOT, 'dir', true), file('f', 'd', 'x.txt', 'v1', true)]);
    expect(await read('dir/x.txt')).toBe('edited offline');
    expect(store.nodeCount()).toBe(0); // untracked now: the next scan uploads it
  });

  it('swaps two names', async () => {
    await apply([file('1', ROOT, 'a', 'one'), file('2', ROOT, 'b', 'two')]);
    await apply([file('1', ROOT, 'b', 'one'), file('2', ROOT, 'a', 'two')]);
    expect([await read('a'), await read('b')]).toEqual(['two', 'one']);
  });

  it('adopts an identical local file at the place of a new remote one (no conflicted copy)', async () => {
    await writeFile(path.join(root, 'same.txt'), 'same bytes');
    const r = await apply([file('s', ROOT, 'same.txt', 'same bytes')]);
    expect(r.localConflicts).toBe(0);
    expect(await ls()).toEqual(['same.txt']);
    expect(store.node('s')).toMatchObject({ known: true, baseHash: hashBuffer(Buffer.from('same bytes')).contentHash });
  });

  it('a crash in the middle is finished by running the same states again', async () => {
    const states = [folder('d', ROOT, 'd'), file('a', 'd', 'a.txt', 'A'), file('b', 'd', 'b.txt', 'B'), file('c', ROOT, 'c.txt', 'C')];
    let n = 0;
    await expect(
      apply(states, () => {
        if (++n === 3) throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    await apply(states);
    expect(await ls()).toEqual(['c.txt', 'd']);
    expect(await ls('d')).toEqual(['a.txt', 'b.txt']);
    expect(store.nodeCount()).toBe(4);
  });
});

/** Deterministic bytes that differ per seed. */
function big(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4096) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
}
const readBuf = (rel: string): Promise<Buffer> => readFile(path.join(root, rel));

describe('block-level downloads of files over one block', () => {
  const v1 = big(2 * BLOCK_SIZE + 12_345, 1);
  const edit = (b: Buffer, at: number, text: string): Buffer => {
    const c = Buffer.from(b);
    c.write(text, at);
    return c;
  };

  it('a one-block edit downloads one block: the others come from the previous version on disk', async () => {
    await apply([file('f', ROOT, 'big.bin', v1)]);
    expect(served).toMatchObject({ content: 0, blocks: 3, lists: 1 });
    expect((await readBuf('big.bin')).equals(v1)).toBe(true);
    const v2 = edit(v1, BLOCK_SIZE + 7, 'changed in block 1');
    await apply([file('f', ROOT, 'big.bin', v2)]);
    expect(served).toMatchObject({ content: 0, blocks: 4, blockBytes: v1.length + BLOCK_SIZE, lists: 2 });
    expect((await readBuf('big.bin')).equals(v2)).toBe(true);
    expect(store.node('f')).toMatchObject({ contentHash: hashBuffer(v2).contentHash, baseHash: hashBuffer(v2).contentHash });
    expect(store.blocksOf(hashBuffer(v2).contentHash)).toEqual(hashBuffer(v2).blocks);
    expect(await ls()).toEqual(['big.bin']); // no temp file left
  });

  it('without a recorded block list (a state from before), the old file is hashed instead', async () => {
    await apply([file('f', ROOT, 'big.bin', v1)]);
    store.db.prepare('DELETE FROM content_blocks').run();
    const v2 = edit(v1, 2 * BLOCK_SIZE + 1, 'the tail block');
    const before = served.blocks;
    await apply([file('f', ROOT, 'big.bin', v2)]);
    expect(served.blocks - before).toBe(1);
    expect((await readBuf('big.bin')).equals(v2)).toBe(true);
  });

  it('blocks are also taken from other local files that hold them (a copy made elsewhere)', async () => {
    await apply([file('f', ROOT, 'big.bin', v1)]);
    const before = served.blocks;
    await apply([file('g', ROOT, 'copy.bin', edit(v1, 5, 'head'))]);
    expect(served.blocks - before).toBe(1);
    expect((await readBuf('copy.bin')).equals(edit(v1, 5, 'head'))).toBe(true);
  });

  it('a local edit the server lacks is still kept aside, never overwritten', async () => {
    await apply([file('f', ROOT, 'big.bin', v1)]);
    const mine = edit(v1, 3, 'my unsynced edit');
    await writeFile(path.join(root, 'big.bin'), mine);
    const theirs = edit(v1, BLOCK_SIZE * 2 + 3, 'their edit');
    const before = served.blocks;
    const r = await apply([file('f', ROOT, 'big.bin', theirs)]);
    expect(r.localConflicts).toBe(1);
    // Block 0 of theirs is nowhere on disk any more (the edit changed it): downloaded; so is block 2.
    expect(served.blocks - before).toBe(2);
    const names = await ls();
    expect(names).toHaveLength(2);
    expect((await readBuf('big.bin')).equals(theirs)).toBe(true);
    expect((await readBuf(names.find((n) => n !== 'big.bin')!)).equals(mine)).toBe(true);
  });

  it('falls back to the whole download when the server gives no block list, or a block is not served', async () => {
    faults.noBlockList = true;
    await apply([file('f', ROOT, 'big.bin', v1)]);
    expect(served).toMatchObject({ content: 1, blocks: 0 });
    expect((await readBuf('big.bin')).equals(v1)).toBe(true);
    faults.noBlockList = false;
    faults.noBlocks = true;
    const v2 = edit(v1, 9, 'again');
    await apply([file('f', ROOT, 'big.bin', v2)]);
    expect(served).toMatchObject({ content: 2, blocks: 0, lists: 1 });
    expect((await readBuf('big.bin')).equals(v2)).toBe(true);
  });

  it('a file identical to a local one downloads nothing', async () => {
    await apply([file('f', ROOT, 'big.bin', v1)]);
    const before = { ...served };
    await apply([file('g', ROOT, 'same.bin', v1)]);
    expect(served).toMatchObject({ content: before.content, blocks: before.blocks });
    expect((await readBuf('same.bin')).equals(v1)).toBe(true);
  });
});
