import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PocketCloudClient } from '../../client/src/sdk/client.js';
import { SyncStore } from '../../client/src/state/store.js';
import { RemoteApplier, type RemoteState } from '../../client/src/sync/apply.js';
import { hashBuffer } from '../../src/shared/content-hash.js';
import { ROOT } from './helpers.js';

/** Delta application against a real folder, with a fake server that serves file contents. */
let dir: string;
let root: string;
let store: SyncStore;
const contents = new Map<string, string>();
const fakeClient = {
  download: (id: string) => {
    const c = contents.get(id);
    if (c === undefined) return Promise.reject(Object.assign(new Error('gone'), { status: 404 }));
    return Promise.resolve({ stream: Readable.from([Buffer.from(c)]), contentHash: hashBuffer(Buffer.from(c)).contentHash, size: c.length });
  },
} as unknown as PocketCloudClient;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pc-apply-'));
  root = path.join(dir, 'folder');
  await mkdir(root);
  store = new SyncStore(path.join(dir, 'sync.db'));
  contents.clear();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
function file(id: string, parentId: string, name: string, text: string, deleted = false): RemoteState {
  contents.set(id, text);
  return { id, parentId, name, kind: 'file', rev: ++seq, size: text.length, contentHash: hashBuffer(Buffer.from(text)).contentHash, mtime: null, deleted };
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
