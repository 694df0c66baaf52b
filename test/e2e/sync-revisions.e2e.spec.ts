import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { contentHashOf } from '../support/bytes.js';
import { type Account, Device, loginDevice, newDevice } from '../support/device.js';

describe('file revisions (e2e)', () => {
  let t: TestApp;
  let d: Device;
  let account: Account;

  beforeAll(async () => {
    t = await startTestApp(testConfig('sync_revisions'));
    ({ session: account, device: d } = await newDevice(t.api));
  });
  afterAll(() => t?.close());

  const v = [Buffer.from('first version'), Buffer.from('the second version'), Buffer.from('third')];

  describe('a file with three versions', () => {
    let id: string;
    const seqs: number[] = [];
    let d2: Device;

    beforeAll(async () => {
      const c1 = await d.putFile({ path: '/notes.txt' }, v[0]!, { mtime: '2024-01-01T00:00:00.000Z' });
      expect(c1.status).toBe(201);
      id = c1.body.entry.id;
      seqs.push(c1.body.seq!);
      await d.latest();
      // A new version by id…
      const c2 = await d.putFile({ path: '/ignored-with-an-id' }, v[1]!, { id });
      expect(c2.status, JSON.stringify(c2.raw)).toBe(201);
      expect(c2.body.entry).toMatchObject({ id, name: 'notes.txt', size: v[1]!.length });
      seqs.push(c2.body.seq!);
      // …and one from another device, by path onto the existing file.
      d2 = await loginDevice(t.api, account);
      const c3 = await d2.putFile({ path: '/notes.txt' }, v[2]!);
      expect(c3.status, JSON.stringify(c3.raw)).toBe(201);
      expect(c3.body.entry.id).toBe(id);
      seqs.push(c3.body.seq!);
    });

    it('keeps one node: the listing shows one file with the newest content', async () => {
      const list = await d.listAll({ path: '/' });
      expect(list.filter((e) => e.name === 'notes.txt')).toHaveLength(1);
      expect((await d.download({ id })).body.equals(v[2]!)).toBe(true);
    });

    it('lists the versions newest first, only the newest current', async () => {
      const res = await d.get('/v1/files/revisions', { id });
      expect(res.status).toBe(200);
      expect(res.body.map((r) => r.revision)).toEqual([...seqs].reverse());
      expect(res.body.map((r) => r.current)).toEqual([true, false, false]);
      expect(res.body.map((r) => r.size)).toEqual([v[2]!.length, v[1]!.length, v[0]!.length]);
      expect(res.body.map((r) => r.contentHash)).toEqual([contentHashOf(v[2]!), contentHashOf(v[1]!), contentHashOf(v[0]!)]);
      expect(res.body[2]!.mtime).toBe('2024-01-01T00:00:00.000Z');
      expect(res.body[1]!.mtime).toBeNull();
      expect(res.body[0]!.deviceId).not.toBe(res.body[1]!.deviceId);
      // By path, the same list.
      expect((await d.get('/v1/files/revisions', { path: '/notes.txt' })).body).toEqual(res.body);
    });

    it('downloads any version by ?revision=', async () => {
      for (let i = 0; i < 3; i++) {
        const dl = await d.download({ id, revision: seqs[i]! });
        expect(dl.status).toBe(200);
        expect(dl.body.equals(v[i]!)).toBe(true);
        expect(dl.headers.get('etag')).toBe(`"${contentHashOf(v[i]!)}"`);
      }
      const ranged = await d.download({ id, revision: seqs[1]! }, { range: 'bytes=4-9' });
      expect(ranged.status).toBe(206);
      expect(ranged.body.equals(v[1]!.subarray(4, 10))).toBe(true);
    });

    it('answers a revision that is not one of this file with 404 REVISION_NOT_FOUND', async () => {
      const dl = await d.download({ id, revision: 99999 });
      expect(dl.status).toBe(404);
      expect(JSON.parse(dl.body.toString()).code).toBe('REVISION_NOT_FOUND');
      await d.latest();
      const other = await d.putFile({ path: '/other.txt' }, Buffer.from('other'));
      const foreign = await d.download({ id, revision: other.body.seq! });
      expect(foreign.status).toBe(404);
      const restore = await d.restoreRevision({ id, revision: other.body.seq! });
      expect(restore.status).toBe(404);
      expect(restore.error.code).toBe('REVISION_NOT_FOUND');
    });

    it('restores an old version as a new current version', async () => {
      await d.latest();
      const head = await d.headSeq();
      const res = await d.restoreRevision({ id, revision: seqs[0]! });
      expect(res.status, JSON.stringify(res.raw)).toBe(201);
      expect(res.body.seq).toBe(head + 1);
      expect(res.body.entry).toMatchObject({ id, size: v[0]!.length, contentHash: contentHashOf(v[0]!), rev: head + 1 });
      expect((await d.download({ id })).body.equals(v[0]!)).toBe(true);

      const revs = (await d.get('/v1/files/revisions', { id })).body;
      expect(revs.map((r) => r.revision)).toEqual([head + 1, ...[...seqs].reverse()]);
      expect(revs.map((r) => r.current)).toEqual([true, false, false, false]);
      expect(revs[0]!.contentHash).toBe(contentHashOf(v[0]!));
      // The delta shows the restore as a change of the file.
      const delta = await d.readDelta((await d.get('/v1/delta/latest')).body.cursor);
      expect(delta.entries).toEqual([]);
      const last = (await d.readDelta()).entries.at(-1);
      expect(last).toMatchObject({ seq: head + 1, id, contentHash: contentHashOf(v[0]!) });
    });

    it('treats restoring the current content as already done (seq null)', async () => {
      await d.latest();
      const revs = (await d.get('/v1/files/revisions', { id })).body;
      const head = await d.headSeq();
      const res = await d.restoreRevision({ id, revision: revs[0]!.revision });
      expect(res.body.seq).toBeNull();
      expect(await d.headSeq()).toBe(head);
    });
  });

  it('refuses revisions of a folder with 400 NOT_A_FILE', async () => {
    await d.latest();
    const f = await d.mkdir({ path: '/folder' });
    const res = await d.get('/v1/files/revisions', { id: f.body.entry.id });
    expect(res.status).toBe(400);
    expect(res.error.code).toBe('NOT_A_FILE');
    const restore = await d.restoreRevision({ id: f.body.entry.id, revision: f.body.seq! });
    expect(restore.status).toBe(400);
    expect(restore.error.code).toBe('NOT_A_FILE');
  });

  it("does not show another user's revisions", async () => {
    await d.latest();
    const c = await d.putFile({ path: '/private.txt' }, Buffer.from('private'));
    const other = await newDevice(t.api);
    const res = await other.device.get('/v1/files/revisions', { id: c.body.entry.id });
    expect(res.status).toBe(404);
    expect(res.error.code).toBe('NODE_NOT_FOUND');
    const dl = await other.device.download({ id: c.body.entry.id, revision: c.body.seq! });
    expect(dl.status).toBe(404);
  });
});
