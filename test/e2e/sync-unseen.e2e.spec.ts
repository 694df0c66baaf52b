import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { Device, loginDevice, newDevice } from '../support/sync-client.js';

/**
 * Until the conflict policy lands, an operation that meets a change its device had not seen
 * (after its baseCursor, by another device) is refused with UNSEEN_CHANGE, never applied blindly.
 */
describe('unseen changes are refused (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig('sync_unseen'));
  });
  afterAll(() => t?.close());

  /** Two devices of one account, both synced after a file /doc.txt and a folder /Dest exist. */
  async function twoDevices() {
    const { session, device: d1 } = await newDevice(t.api);
    const d2 = await loginDevice(t.api, session);
    const file = await d1.putFile({ path: '/doc.txt' }, Buffer.from('version 1'));
    expect(file.status).toBe(201);
    const dest = await d1.mkdir({ path: '/Dest' });
    expect(dest.status).toBe(201);
    await d1.sync();
    await d2.sync();
    return { d1, d2, fileId: file.body.entry.id as string, destId: dest.body.entry.id as string };
  }

  function expectUnseen(res: { status: number; body: any }, current: Record<string, unknown>) {
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.code).toBe('UNSEEN_CHANGE');
    expect(res.body.details.current).toMatchObject(current);
  }

  describe('device 1 renames a file; device 2, with the older cursor, …', () => {
    let d1: Device;
    let d2: Device;
    let fileId: string;
    let destId: string;
    let renameSeq: number;

    beforeEach(async () => {
      ({ d1, d2, fileId, destId } = await twoDevices());
      const r = await d1.post('/v1/files/move', { id: fileId, name: 'renamed.txt' });
      expect(r.status).toBe(201);
      renameSeq = r.body.seq;
    });

    it('moves it: 409 UNSEEN_CHANGE with the current state; after reading the delta the move succeeds', async () => {
      const res = await d2.post('/v1/files/move', { id: fileId, parentId: destId });
      expectUnseen(res, { id: fileId, name: 'renamed.txt', path: '/renamed.txt', rev: renameSeq, deleted: false });
      const seen = await d2.sync();
      expect(seen.map((e) => e.name)).toEqual(['renamed.txt']);
      const again = await d2.post('/v1/files/move', { id: fileId, parentId: destId });
      expect(again.status).toBe(201);
      expect(again.body.entry).toMatchObject({ path: '/Dest/renamed.txt' });
    });

    it('renames it too: 409, and nothing changed', async () => {
      const head = await d2.headSeq();
      const res = await d2.post('/v1/files/move', { id: fileId, name: 'mine.txt' });
      expectUnseen(res, { id: fileId, name: 'renamed.txt' });
      expect(await d2.headSeq()).toBe(head);
      expect((await d2.get(`/v1/files/metadata?id=${fileId}`)).body.name).toBe('renamed.txt');
    });

    it('deletes it: 409 UNSEEN_CHANGE; after reading the delta the delete succeeds', async () => {
      const res = await d2.post('/v1/files/delete', { id: fileId });
      expectUnseen(res, { id: fileId, name: 'renamed.txt' });
      expect((await d2.get(`/v1/files/metadata?id=${fileId}`)).body.deleted).toBe(false);
      await d2.sync();
      const again = await d2.post('/v1/files/delete', { id: fileId });
      expect(again.status).toBe(201);
      expect(again.body.entry.deleted).toBe(true);
    });

    it('deletes the folder holding it after it moved in: 409 for the folder delete', async () => {
      const mv = await d1.post('/v1/files/move', { id: fileId, parentId: destId });
      expect(mv.status).toBe(201);
      const res = await d2.post('/v1/files/delete', { id: destId });
      expectUnseen(res, { id: fileId, path: '/Dest/renamed.txt' });
      expect((await d2.get(`/v1/files/metadata?id=${destId}`)).body.deleted).toBe(false);
    });

    it('edits it: content and location are different attributes, so both changes apply (CONFLICTS.md)', async () => {
      await d2.upload(Buffer.from('version 2'));
      const res = await d2.putFile({ path: '/ignored' }, Buffer.from('version 2'), { id: fileId });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.entry).toMatchObject({ id: fileId, name: 'renamed.txt', size: 9 });
      expect((await d2.download(`id=${fileId}`)).body.toString()).toBe('version 2');
    });
  });

  describe('device 1 edits a file; device 2, with the older cursor, …', () => {
    it('edits it too: 409 UNSEEN_CHANGE; after reading the delta the edit succeeds', async () => {
      const { d1, d2, fileId } = await twoDevices();
      const e1 = await d1.putFile({ path: '/x' }, Buffer.from('from device 1'), { id: fileId });
      expect(e1.status).toBe(201);
      const e2 = await d2.putFile({ path: '/x' }, Buffer.from('from device 2'), { id: fileId });
      expectUnseen(e2, { id: fileId, size: 'from device 1'.length, rev: e1.body.seq });
      expect((await d2.download(`id=${fileId}`)).body.toString()).toBe('from device 1');
      await d2.sync();
      const again = await d2.putFile({ path: '/x' }, Buffer.from('from device 2'), { id: fileId });
      expect(again.status).toBe(201);
      expect((await d2.download(`id=${fileId}`)).body.toString()).toBe('from device 2');
    });

    it('commits by path onto it: 409 UNSEEN_CHANGE', async () => {
      const { d1, d2, fileId } = await twoDevices();
      expect((await d1.putFile({ path: '/doc.txt' }, Buffer.from('from device 1'))).status).toBe(201);
      const res = await d2.putFile({ path: '/doc.txt' }, Buffer.from('from device 2'));
      expectUnseen(res, { id: fileId });
      await d2.sync();
      expect((await d2.putFile({ path: '/doc.txt' }, Buffer.from('from device 2'))).status).toBe(201);
    });

    it('restores an old revision: 409 UNSEEN_CHANGE', async () => {
      const { d1, d2, fileId } = await twoDevices();
      const revs = await d2.get(`/v1/files/revisions?id=${fileId}`);
      expect((await d1.putFile({ path: '/doc.txt' }, Buffer.from('from device 1'))).status).toBe(201);
      const res = await d2.post('/v1/files/revisions/restore', { id: fileId, revision: revs.body[0].revision });
      expectUnseen(res, { id: fileId });
    });

    it('deletes it: 409 UNSEEN_CHANGE', async () => {
      const { d1, d2, fileId } = await twoDevices();
      expect((await d1.putFile({ path: '/doc.txt' }, Buffer.from('from device 1'))).status).toBe(201);
      expectUnseen(await d2.post('/v1/files/delete', { id: fileId }), { id: fileId });
    });
  });

  describe('device 1 deletes; device 2, with the older cursor, …', () => {
    it('edits the deleted file: 409 UNSEEN_CHANGE showing it deleted', async () => {
      const { d1, d2, fileId } = await twoDevices();
      expect((await d1.post('/v1/files/delete', { id: fileId })).status).toBe(201);
      const res = await d2.putFile({ path: '/x' }, Buffer.from('edit'), { id: fileId });
      expectUnseen(res, { id: fileId, deleted: true });
      // Once it has seen the delete, the node is simply gone for it.
      await d2.sync();
      const again = await d2.putFile({ path: '/x' }, Buffer.from('edit'), { id: fileId });
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('NODE_NOT_FOUND');
    });

    it('creates a file in the deleted folder: 409 UNSEEN_CHANGE on the folder, then 404 PARENT_NOT_FOUND', async () => {
      const { d1, d2, destId } = await twoDevices();
      expect((await d1.post('/v1/files/delete', { id: destId })).status).toBe(201);
      const res = await d2.putFile({ parentId: destId, name: 'new.txt' }, Buffer.from('new'));
      expectUnseen(res, { id: destId, deleted: true });
      await d2.sync();
      const again = await d2.putFile({ parentId: destId, name: 'new.txt' }, Buffer.from('new'));
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('PARENT_NOT_FOUND');
    });

    it('moves the deleted file: 409 UNSEEN_CHANGE', async () => {
      const { d1, d2, fileId, destId } = await twoDevices();
      expect((await d1.post('/v1/files/delete', { id: fileId })).status).toBe(201);
      expectUnseen(await d2.post('/v1/files/move', { id: fileId, parentId: destId }), { id: fileId, deleted: true });
    });
  });

  it("never counts a device's own changes as unseen: several operations with one old cursor all apply", async () => {
    const { d1, d2, fileId, destId } = await twoDevices();
    const base = d1.cursor;
    const steps: [string, Record<string, unknown>][] = [
      ['/v1/files/move', { id: fileId, name: 'step1.txt' }],
      ['/v1/files/move', { id: fileId, parentId: destId }],
      ['/v1/files/move', { id: fileId, name: 'step3.txt' }],
    ];
    for (const [path, body] of steps) {
      const res = await d1.postWith(base, path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await d1.upload(Buffer.from('own edit'));
    const edit = await d1.putFile({ path: '/x' }, Buffer.from('own edit'), { id: fileId, baseCursor: base });
    expect(edit.status, JSON.stringify(edit.body)).toBe(201);
    const edit2 = await d1.putFile({ path: '/x' }, Buffer.from('own edit again'), { id: fileId, baseCursor: base });
    expect(edit2.status, JSON.stringify(edit2.body)).toBe(201);
    const del = await d1.postWith(base, '/v1/files/delete', { id: destId });
    expect(del.status, JSON.stringify(del.body)).toBe(201);
    // The other device, still at that cursor, is refused.
    const restore = await d2.postWith(base, '/v1/files/move', { id: fileId, name: 'other.txt' });
    expect(restore.status).toBe(409);
    expect(restore.body.code).toBe('UNSEEN_CHANGE');
  });
});
