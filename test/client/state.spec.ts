import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../client/src/state/session-store.js';
import { SyncStore } from '../../client/src/state/store.js';
import type { StoredSession } from '../../client/src/sdk/session.js';
import { contentOf, knownNode } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pc-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MTIME = '2026-01-02T03:04:05.000Z';

describe('the local state survives a restart', () => {
  it('keeps the tree, the cursor and the queue in order across a reopen', () => {
    const file = path.join(dir, 'sync.db');
    const a = new SyncStore(file);
    a.tx(() => {
      a.putNode(knownNode({ id: 'n1', name: 'a.txt', contentHash: 'h1', baseHash: 'h0', ino: 5, birthMs: 1.5 }));
      a.enqueue({ opId: 'op-1', nodeId: 'n1', type: 'edit', body: { id: 'n1', blocks: [], size: 0, mtime: MTIME }, baseCursor: 'c1' });
      a.enqueue({ opId: 'op-2', nodeId: 'n1', type: 'move', body: { id: 'n1', name: 'b.txt' }, baseCursor: 'c1' });
      a.cursor = 'c1';
    });
    a.close();
    const b = new SyncStore(file);
    expect(b.cursor).toBe('c1');
    expect(b.node('n1')).toMatchObject({ name: 'a.txt', contentHash: 'h1', baseHash: 'h0', ino: 5, birthMs: 1.5, known: true });
    expect(b.ops().map((o) => [o.opId, o.type, o.baseCursor, o.sent])).toEqual([
      ['op-1', 'edit', 'c1', false],
      ['op-2', 'move', 'c1', false],
    ]);
    b.close();
  });

  it('never changes an operation once it was sent (a retry must carry the same payload)', () => {
    const s = new SyncStore(path.join(dir, 'sync.db'));
    const seq = s.enqueue({ opId: 'op', nodeId: 'n', type: 'edit', body: { id: 'n', blocks: ['x'], size: 1, mtime: MTIME }, baseCursor: '' });
    s.updateOpBody(s.ops()[0]!, { id: 'n', blocks: ['y'], size: 1, mtime: MTIME });
    expect(s.ops()[0]!.body).toEqual({ id: 'n', blocks: ['y'], size: 1, mtime: MTIME });
    s.markSent([seq]);
    s.updateOpBody(s.ops()[0]!, { id: 'n', blocks: ['z'], size: 1, mtime: MTIME });
    expect(s.ops()[0]).toMatchObject({ body: { blocks: ['y'] }, sent: true, attempts: 1 });
    s.close();
  });

  it('reads a queue written before commits were told apart: a placed commit creates, one by id edits', () => {
    const file = path.join(dir, 'sync.db');
    const old = new SyncStore(file);
    const row = old.db.prepare("INSERT INTO ops (op_id, node_id, type, body, base_cursor, created_at) VALUES (?, ?, 'commit', ?, 'c0', 'then')");
    row.run('op-new', 'n1', JSON.stringify({ id: 'n1', parentId: 'root', name: 'a.txt', blocks: ['b1'], size: 3, mtime: MTIME }));
    row.run('op-edit', 'n2', JSON.stringify({ id: 'n2', blocks: ['b2'], size: 4, mtime: MTIME }));
    old.db.pragma('user_version = 2');
    old.close();
    const s = new SyncStore(file);
    expect(s.ops().map((o) => [o.opId, o.type, o.nodeId])).toEqual([
      ['op-new', 'createFile', 'n1'],
      ['op-edit', 'edit', 'n2'],
    ]);
    expect(s.ops()[0]!.body).toEqual({ id: 'n1', parentId: 'root', name: 'a.txt', blocks: ['b1'], size: 3, mtime: MTIME });
    s.close();
  });

  it('a transaction that throws leaves nothing behind', () => {
    const s = new SyncStore(path.join(dir, 'sync.db'));
    expect(() =>
      s.tx(() => {
        s.putNode(knownNode({ id: 'n', name: 'x' }));
        s.enqueue({ opId: 'o', nodeId: 'n', type: 'createFolder', body: { id: 'n', parentId: 'root', name: 'x' }, baseCursor: '' });
        throw new Error('crash');
      }),
    ).toThrow('crash');
    expect(s.nodeCount()).toBe(0);
    expect(s.queueLength()).toBe(0);
    s.close();
  });

  it('keeps remote changes being applied until they are finished, then moves the cursor', () => {
    const file = path.join(dir, 'sync.db');
    const a = new SyncStore(file);
    a.cursor = 'old';
    a.setRemotePending([{ id: 'x' }, { id: 'y' }], 'new', 'delta');
    a.close();
    const b = new SyncStore(file);
    expect(b.remotePending()).toEqual({ states: [{ id: 'x' }, { id: 'y' }], cursor: 'new', mode: 'delta' });
    expect(b.cursor).toBe('old');
    b.finishRemotePending();
    expect(b.cursor).toBe('new');
    expect(b.remotePending()).toBeNull();
    b.close();
  });
});

describe('block lists of local contents', () => {
  it('records a content\'s blocks once, finds the contents holding a block, forgets contents no file holds', () => {
    const s = new SyncStore(path.join(dir, 'sync.db'));
    const one = contentOf('one');
    s.recordBlocks(one.contentHash, one.blocks);
    s.recordBlocks(one.contentHash, one.blocks);
    s.recordBlocks(contentOf('two').contentHash, one.blocks); // blocks that do not make that hash: ignored
    expect(s.blocksOf(one.contentHash)).toEqual(one.blocks);
    expect(s.blocksOf(contentOf('two').contentHash)).toBeNull();
    expect(s.contentsWithBlock(one.blocks[0]!)).toEqual([{ contentHash: one.contentHash, index: 0 }]);
    s.putNode(knownNode({ id: 'n', name: 'a', contentHash: one.contentHash }));
    expect(s.pruneBlocks()).toBe(0);
    s.deleteNode('n');
    expect(s.pruneBlocks()).toBe(1);
    expect(s.blocksOf(one.contentHash)).toBeNull();
    s.close();
  });

  it('a state made before block lists were kept gains the table on open', () => {
    const file = path.join(dir, 'sync.db');
    const old = new SyncStore(file);
    old.putNode(knownNode({ id: 'n', name: 'a' }));
    old.db.exec('DROP TABLE content_blocks');
    old.db.pragma('user_version = 1');
    old.close();
    const s = new SyncStore(file);
    expect(s.node('n')).not.toBeNull();
    expect(s.blocksOf('x')).toBeNull();
    s.close();
  });
});

describe('the session store', () => {
  const session: StoredSession = {
    server: 'http://x',
    userId: 'u',
    email: 'e',
    ns: 'n',
    deviceId: 'd',
    deviceName: 'pc',
    accessToken: 'a0',
    accessTokenExpiresAt: new Date(0).toISOString(),
    refreshToken: 'r0',
    refreshTokenExpiresAt: new Date(0).toISOString(),
  };

  it('serializes refreshes across two processes (two connections): no refresh token is used twice', async () => {
    const file = path.join(dir, 'session.db');
    const one = new SqliteSessionStore(file);
    const two = new SqliteSessionStore(file);
    one.save(session);
    const used: string[] = [];
    const refresh = (store: SqliteSessionStore) =>
      store.update(async (cur) => {
        used.push(cur.refreshToken);
        await new Promise((r) => setTimeout(r, 30));
        return { ...cur, refreshToken: `r${Number(cur.refreshToken.slice(1)) + 1}` };
      });
    await Promise.all([refresh(one), refresh(two), refresh(one), refresh(two)]);
    expect(used.sort()).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(two.load()!.refreshToken).toBe('r4');
    one.close();
    two.close();
  });

  it('a failed refresh keeps the old session', async () => {
    const s = new SqliteSessionStore(path.join(dir, 'session.db'));
    s.save(session);
    await expect(s.update(() => Promise.reject(new Error('offline')))).rejects.toThrow('offline');
    expect(s.load()).toEqual(session);
    s.close();
  });
});
