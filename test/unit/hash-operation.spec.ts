import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/modules/namespace/operations.js';
import { hashOperation } from '../../src/modules/namespace/sync-writer.service.js';

const ID = '3b241101-e2bb-4255-8caf-4136c566a962';
const PARENT = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
const B1 = 'a'.repeat(64);
const B2 = 'b'.repeat(64);

describe('hashOperation', () => {
  it('is a SHA-256 in hex', () => {
    expect(hashOperation({ type: 'delete', id: ID })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable under key order', () => {
    const a: Operation = { type: 'move', id: ID, parentId: PARENT, name: 'x.txt' };
    const b: Operation = { name: 'x.txt', parentId: PARENT, id: ID, type: 'move' };
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(hashOperation(a)).toBe(hashOperation(b));

    const c: Operation = { type: 'commit', path: '/a/b.txt', blocks: [B1, B2], size: 5_000_000, mtime: new Date(1000) };
    const d: Operation = { mtime: new Date(1000), size: 5_000_000, blocks: [B1, B2], path: '/a/b.txt', type: 'commit' };
    expect(hashOperation(c)).toBe(hashOperation(d));
  });

  it('is the same for equal operations built separately', () => {
    expect(hashOperation({ type: 'restoreRevision', id: ID, revision: 7 })).toBe(
      hashOperation({ type: 'restoreRevision', id: ID, revision: 7 }),
    );
  });

  it.each<[string, Operation, Operation]>([
    ['type', { type: 'delete', id: ID }, { type: 'restore', id: ID }],
    ['id', { type: 'delete', id: ID }, { type: 'delete', id: PARENT }],
    ['name', { type: 'move', id: ID, name: 'a' }, { type: 'move', id: ID, name: 'b' }],
    ['name case', { type: 'move', id: ID, name: 'a' }, { type: 'move', id: ID, name: 'A' }],
    ['a field present or not', { type: 'move', id: ID, name: 'a' }, { type: 'move', id: ID, name: 'a', parentId: PARENT }],
    ['the same value in another field', { type: 'move', id: ID, name: PARENT }, { type: 'move', id: ID, parentId: PARENT }],
    ['revision', { type: 'restoreRevision', id: ID, revision: 1 }, { type: 'restoreRevision', id: ID, revision: 2 }],
    ['size', { type: 'commit', path: '/f', blocks: [B1], size: 1 }, { type: 'commit', path: '/f', blocks: [B1], size: 2 }],
    [
      'block order',
      { type: 'commit', path: '/f', blocks: [B1, B2], size: 5_000_000 },
      { type: 'commit', path: '/f', blocks: [B2, B1], size: 5_000_000 },
    ],
    ['blocks', { type: 'commit', path: '/f', blocks: [B1], size: 1 }, { type: 'commit', path: '/f', blocks: [B2], size: 1 }],
    [
      'mtime',
      { type: 'commit', path: '/f', blocks: [B1], size: 1, mtime: new Date(1000) },
      { type: 'commit', path: '/f', blocks: [B1], size: 1, mtime: new Date(2000) },
    ],
    ['path', { type: 'createFolder', path: '/a' }, { type: 'createFolder', path: '/b' }],
  ])('differs when the %s differs', (_label, a, b) => {
    expect(hashOperation(a)).not.toBe(hashOperation(b));
  });
});
