import { describe, expect, it } from 'vitest';
import { diffLocal, filesToHash, localOps, type Observed } from '../../client/src/sync/local-diff.js';
import type { Placed } from '../../client/src/sync/placement.js';
import type { LocalNode } from '../../client/src/state/store.js';
import { nameKey } from '../../src/shared/names.js';
import { contentOf, knownNode, mapOf, ROOT, seenOnDisk } from './helpers.js';

/**
 * File-system changes → operations. The watcher's events only say "look"; the scan compares
 * what is on disk with the last-synced tree, so these tests give both and check the operations.
 */
let minted = 0;
const mint = (): string => `new-${++minted}`;
const opts = { key: nameKey, tempName: (n: Placed, i: number) => `~pc ${n.id}-${i}` };

function translate(known: Map<string, LocalNode>, observed: Observed[]) {
  for (const o of filesToHash(ROOT, known, observed)) if (!o.hash) throw new Error(`the test must hash ${o.path}`);
  const diff = diffLocal(ROOT, known, observed, mint, 1_000_000);
  return { diff, ops: localOps(ROOT, known, diff, opts) };
}

const A = contentOf('content of a');
const B = contentOf('content of b');

describe('local changes to operations', () => {
  it('a new folder with a file: the folder is created first, the file with its blocks', () => {
    const { ops } = translate(new Map(), [seenOnDisk({ path: 'docs', kind: 'folder', ino: 5 }), seenOnDisk({ path: 'docs/a.txt', ino: 6, size: A.size, hash: A })]);
    expect(ops.map((o) => o.type)).toEqual(['createFolder', 'createFile']);
    expect(ops[1]!.body).toMatchObject({ parentId: ops[0]!.nodeId, name: 'a.txt', blocks: A.blocks, size: A.size });
  });

  it('a rename keeps the inode: one move, nothing hashed', () => {
    const known = mapOf(knownNode({ id: 'f', name: 'a.txt', contentHash: A.contentHash, ino: 7, birthMs: 111, statSize: A.size, statMtimeMs: 1000 }));
    const observed = [seenOnDisk({ path: 'b.txt', ino: 7, birthMs: 111, size: A.size })];
    expect(filesToHash(ROOT, known, observed)).toEqual([]);
    expect(translate(known, observed).ops).toEqual([{ type: 'move', nodeId: 'f', body: { id: 'f', parentId: ROOT, name: 'b.txt' } }]);
  });

  it('a rename seen as delete + create (a new inode) is recognized by its content hash', () => {
    const known = mapOf(
      knownNode({ id: 'd', name: 'dir', kind: 'folder', ino: 2, birthMs: 1 }),
      knownNode({ id: 'f', name: 'a.txt', contentHash: A.contentHash, ino: 7, birthMs: 111, statSize: A.size, statMtimeMs: 1000 }),
    );
    const observed = [seenOnDisk({ path: 'dir', kind: 'folder', ino: 2, birthMs: 1 }), seenOnDisk({ path: 'dir/moved.txt', ino: 99, birthMs: 222, size: A.size, hash: A })];
    const { ops, diff } = translate(known, observed);
    expect(ops).toEqual([{ type: 'move', nodeId: 'f', body: { id: 'f', parentId: 'd', name: 'moved.txt' } }]);
    expect(diff.movedByContent.get('dir/moved.txt')).toBe('f');
  });

  it('an editor saving through a temp file (new inode, same path) is an edit of the same node', () => {
    const known = mapOf(knownNode({ id: 'f', name: 'a.txt', contentHash: A.contentHash, ino: 7, birthMs: 111, statSize: A.size, statMtimeMs: 1000 }));
    const { ops } = translate(known, [seenOnDisk({ path: 'a.txt', ino: 8, birthMs: 333, size: B.size, mtimeMs: 2000, hash: B })]);
    expect(ops).toEqual([{ type: 'edit', nodeId: 'f', body: expect.objectContaining({ id: 'f', blocks: B.blocks, size: B.size }) }]);
    expect(ops[0]!.body).not.toHaveProperty('parentId');
  });

  it('an inode reused by a new file (another birth time) is a delete and a create, not a rename', () => {
    const known = mapOf(knownNode({ id: 'f', name: 'a.txt', contentHash: A.contentHash, ino: 7, birthMs: 111, statSize: A.size, statMtimeMs: 1000 }));
    const { ops } = translate(known, [seenOnDisk({ path: 'b.txt', ino: 7, birthMs: 999, size: B.size, hash: B })]);
    expect(ops.map((o) => [o.type, o.nodeId === 'f']).sort()).toEqual([
      ['createFile', false],
      ['delete', true],
    ]);
  });

  it('a renamed folder is one move: its files keep their ids and are not hashed', () => {
    const known = mapOf(
      knownNode({ id: 'd', name: 'old', kind: 'folder', ino: 2, birthMs: 1 }),
      knownNode({ id: 'f', parentId: 'd', name: 'a.txt', contentHash: A.contentHash, ino: 7, birthMs: 111, statSize: A.size, statMtimeMs: 1000 }),
    );
    const observed = [seenOnDisk({ path: 'new', kind: 'folder', ino: 2, birthMs: 1 }), seenOnDisk({ path: 'new/a.txt', ino: 7, birthMs: 111, size: A.size })];
    expect(filesToHash(ROOT, known, observed)).toEqual([]);
    expect(translate(known, observed).ops).toEqual([{ type: 'move', nodeId: 'd', body: { id: 'd', parentId: ROOT, name: 'new' } }]);
  });

  it('a deleted folder whose file was moved out first: the move, then the delete with what it removed', () => {
    const known = mapOf(
      knownNode({ id: 'd', name: 'gone', kind: 'folder', ino: 2, birthMs: 1 }),
      knownNode({ id: 'keep', parentId: 'd', name: 'k.txt', contentHash: A.contentHash, ino: 7, birthMs: 111, statSize: A.size, statMtimeMs: 1000 }),
      knownNode({ id: 'lost', parentId: 'd', name: 'l.txt', contentHash: B.contentHash, ino: 8, birthMs: 112, statSize: B.size, statMtimeMs: 1000 }),
    );
    const { ops } = translate(known, [seenOnDisk({ path: 'k.txt', ino: 7, birthMs: 111, size: A.size })]);
    expect(ops).toEqual([
      { type: 'move', nodeId: 'keep', body: { id: 'keep', parentId: ROOT, name: 'k.txt' } },
      { type: 'delete', nodeId: 'd', body: { id: 'd', removedIds: ['lost'] } },
    ]);
  });

  it('two files swapping names go through a temporary name', () => {
    const known = mapOf(
      knownNode({ id: '1', name: 'a', contentHash: A.contentHash, ino: 7, birthMs: 1, statSize: A.size, statMtimeMs: 1000 }),
      knownNode({ id: '2', name: 'b', contentHash: B.contentHash, ino: 8, birthMs: 2, statSize: B.size, statMtimeMs: 1000 }),
    );
    const { ops } = translate(known, [seenOnDisk({ path: 'a', ino: 8, birthMs: 2, size: B.size }), seenOnDisk({ path: 'b', ino: 7, birthMs: 1, size: A.size })]);
    expect(ops).toHaveLength(3);
    const moves = ops.filter((o) => o.type === 'move');
    expect(moves).toEqual(ops);
    expect(moves[0]!.body.name).toMatch(/^~pc /);
    expect(moves.slice(1).map((o) => `${o.nodeId}:${String(o.body.name)}`).sort()).toEqual(['1:b', '2:a']);
  });

  it('an unchanged file is not hashed again; a recently modified ("racy") one is', () => {
    const base = { id: 'f', name: 'a.txt', contentHash: A.contentHash, ino: 7, birthMs: 111, statSize: A.size, statMtimeMs: 1000 };
    const observed = [seenOnDisk({ path: 'a.txt', ino: 7, birthMs: 111, size: A.size, mtimeMs: 1000 })];
    expect(filesToHash(ROOT, mapOf(knownNode(base)), observed)).toHaveLength(0);
    expect(filesToHash(ROOT, mapOf(knownNode({ ...base, racy: true })), observed)).toHaveLength(1);
  });
});
