import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { TrashPage } from '../../client/src/sdk/types.js';
import { type Account, Device, newDevice, written } from '../support/device.js';

describe('trash: delete and restore (e2e)', () => {
  let t: TestApp;
  let d: Device;
  let account: Account;

  beforeAll(async () => {
    t = await startTestApp(testConfig('sync_trash'));
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    ({ session: account, device: d } = await newDevice(t.api));
  });

  /** Writes with the device's own (old) cursor: its own changes never count as unseen. */
  const ok = written;
  const file = async (path: string, text = path) => (await ok(d.putFile({ path }, Buffer.from(text)))).entry;
  const folder = async (path: string) => (await ok(d.mkdir({ path }))).entry;
  const names = async () => (await d.listAll({ path: '/' }, { recursive: true })).map((e) => e.path);
  const trash = async () => {
    const res = await d.get('/v1/trash');
    expect(res.status).toBe(200);
    return res.body;
  };

  /** /T with a.txt, sub/b.txt and early.txt; early.txt deleted on its own before /T. */
  async function deletedTree() {
    const T = await folder('/T');
    const a = await file('/T/a.txt');
    const sub = await folder('/T/sub');
    const b = await file('/T/sub/b.txt');
    const early = await file('/T/early.txt');
    await ok(d.remove({ id: early.id }));
    const del = await ok(d.remove({ id: T.id }));
    return { T, a, sub, b, early, del };
  }

  it('puts a deleted folder in the trash as one root, and its subtree leaves the listing', async () => {
    await file('/keep.txt');
    const { T, a, sub, b, early, del } = await deletedTree();
    expect(del.entry).toMatchObject({ id: T.id, deleted: true });

    const tr = await trash();
    // Newest first: the folder, then the file deleted before it. Its children are not roots.
    expect(tr.entries.map((e: any) => e.id)).toEqual([T.id, early.id]);
    expect(tr.entries[0]).toMatchObject({ path: '/T', kind: 'folder', deleted: true, deletedAt: expect.any(String) });
    expect(tr.hasMore).toBe(false);

    expect(await names()).toEqual(['/keep.txt']);
    for (const n of [T, a, sub, b, early]) expect((await d.get('/v1/files/metadata', { id: n.id })).body.deleted).toBe(true);
    expect((await d.get('/v1/files/metadata', { path: '/T/a.txt' })).status).toBe(404);
    expect((await d.get('/v1/files/list', { id: T.id })).status).toBe(404);
  });

  it('pages the trash', async () => {
    const ids: string[] = [];
    for (const n of ['x', 'y', 'z']) {
      const f = await file(`/${n}`);
      await ok(d.remove({ id: f.id }));
      ids.unshift(f.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: ApiReply<TrashPage> = await d.get('/v1/trash', { limit: 1, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.entries.map((e) => e.id));
      if (!res.body.hasMore) break;
      cursor = res.body.cursor;
    }
    expect(seen).toEqual(ids);
  });

  it('restores the folder with what the same delete removed, but not a child deleted earlier on its own', async () => {
    const { T, a, sub, b, early } = await deletedTree();
    const head = await d.headSeq();
    const res = await ok(d.restore({ id: T.id }));
    expect(res.seq).toBe(head + 1);
    expect(res.entry).toMatchObject({ id: T.id, path: '/T', deleted: false });

    expect(await names()).toEqual(['/T', '/T/a.txt', '/T/sub', '/T/sub/b.txt']);
    expect((await d.get('/v1/files/metadata', { id: early.id })).body.deleted).toBe(true);
    expect((await trash()).entries.map((e: any) => e.id)).toEqual([early.id]);
    expect((await d.download({ id: b.id })).body.toString()).toBe('/T/sub/b.txt');

    // The restore is one journal entry listing exactly the revived nodes.
    const delta = (await d.readDelta()).entries.filter((e) => e.seq === res.seq);
    expect(delta.map((e) => e.id).sort()).toEqual([T.id, a.id, sub.id, b.id].sort());
    expect(delta.every((e) => !e.deleted)).toBe(true);

    // The earlier one can still come back, into the restored folder.
    await ok(d.restore({ id: early.id }));
    expect(await names()).toContain('/T/early.txt');
    expect((await trash()).entries).toEqual([]);
  });

  it('refuses to restore into a deleted parent (409 PARENT_DELETED), but restores into a given parentId', async () => {
    const { T, early } = await deletedTree();
    const res = await d.restore({ id: early.id });
    expect(res.status).toBe(409);
    expect(res.error.code).toBe('PARENT_DELETED');

    const elsewhere = await folder('/Elsewhere');
    const moved = await ok(d.restore({ id: early.id, parentId: elsewhere.id }));
    expect(moved.entry).toMatchObject({ id: early.id, parentId: elsewhere.id, path: '/Elsewhere/early.txt', deleted: false });
    // To the root, under a new name.
    const a = (await d.get('/v1/files/metadata', { id: T.id })).body;
    expect(a.deleted).toBe(true);
    const root = await ok(d.restore({ id: T.id, parentId: account.user.id, name: 'T restored' }));
    expect(root.entry).toMatchObject({ path: '/T restored', name: 'T restored' });
    expect(await names()).toEqual([
      '/Elsewhere',
      '/Elsewhere/early.txt',
      '/T restored',
      '/T restored/a.txt',
      '/T restored/sub',
      '/T restored/sub/b.txt',
    ]);
  });

  it('refuses to restore a live node with 409 NOT_IN_TRASH', async () => {
    const f = await file('/alive.txt');
    const res = await d.restore({ id: f.id });
    expect(res.status).toBe(409);
    expect(res.error.code).toBe('NOT_IN_TRASH');
  });

  it('with autorename:false, refuses to restore over a name taken meanwhile (409 NAME_TAKEN), unless given another name', async () => {
    const old = await file('/n.txt', 'old');
    await ok(d.remove({ id: old.id }));
    const now = await file('/n.txt', 'new');
    const head = await d.headSeq();
    const res = await d.restore({ id: old.id, autorename: false });
    expect(res.status).toBe(409);
    expect(res.error.code).toBe('NAME_TAKEN');
    expect(res.error.details?.current).toMatchObject({ id: now.id });
    expect(await d.headSeq()).toBe(head);
    expect((await d.get('/v1/files/metadata', { id: old.id })).body.deleted).toBe(true);
    const renamed = await ok(d.restore({ id: old.id, name: 'n (old).txt', autorename: false }));
    expect(renamed.entry.path).toBe('/n (old).txt');
    expect(renamed.conflicts).toEqual([]);
    expect((await d.download({ path: '/n (old).txt' })).body.toString()).toBe('old');
  });

  it('by default, restores over a name taken meanwhile as a conflicted copy name (rule 10, NAME_COLLISION)', async () => {
    const old = await file('/n.txt', 'old');
    await ok(d.remove({ id: old.id }));
    const now = await file('/n.txt', 'new');
    const res = await ok(d.restore({ id: old.id }));
    expect(res.entry).toMatchObject({ id: old.id, deleted: false, path: '/n (conflicted copy test phone).txt' });
    expect(res.conflicts).toEqual([{ id: expect.any(String), kind: 'NAME_COLLISION' }]);
    const list = (await d.get('/v1/conflicts', { unresolved: true })).body.conflicts;
    expect(list).toEqual([expect.objectContaining({ id: res.conflicts[0]!.id, kind: 'NAME_COLLISION', nodeIds: [old.id, now.id], opKind: 'node.restore' })]);
    expect(await names()).toEqual(['/n (conflicted copy test phone).txt', '/n.txt']);
    expect((await d.download({ path: '/n.txt' })).body.toString()).toBe('new');
    expect((await d.download({ id: old.id })).body.toString()).toBe('old');
  });

  it('treats deleting a node already in the trash as done (seq null)', async () => {
    const f = await file('/twice.txt');
    await ok(d.remove({ id: f.id }));
    const head = await d.headSeq();
    const res = await d.remove({ id: f.id });
    expect(res.status).toBe(200); // nothing changed: 200, not 201
    const again = res.body;
    expect(again.seq).toBeNull();
    expect(again.entry.deleted).toBe(true);
    expect(await d.headSeq()).toBe(head);
  });

  const NOWHERE = '0190a0b0-c0d0-7000-8000-000000000000';
  it.each([
    ['/v1/files/restore', () => d.restore({ id: NOWHERE })],
    ['/v1/files/delete', () => d.remove({ id: NOWHERE })],
    ['/v1/files/move', () => d.move({ id: NOWHERE, name: 'x' })],
  ])('answers %s of a node that does not exist with 404 NODE_NOT_FOUND', async (_path, write) => {
    const res = await write();
    expect(res.status).toBe(404);
    expect(res.error.code).toBe('NODE_NOT_FOUND');
  });
});
