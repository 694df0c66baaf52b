import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { contentHashOf } from '../support/bytes.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { WriteResult } from '../../client/src/sdk/types.js';
import { applied, conflictRecord, expectConverged, phoneAndPc, serverRows, text, trashIds, type Peer } from '../support/conflict-devices.js';

/**
 * Every rule of the conflict policy (docs/conflicts.md) end to end over HTTP: the PC works
 * online, the phone sends operations with the older cursor it had while offline. Each case
 * checks the resulting tree, the conflict record, and that both devices converge from their
 * deltas alone.
 */
describe('the conflict rules (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig('conflicts_rules'));
  });
  afterAll(() => t?.close());

  /** Both devices read everything so far (the phone then goes offline). */
  const syncBoth = async (...peers: Peer[]) => {
    for (const p of peers) await p.pull();
  };
  const kinds = (body: WriteResult) => body.conflicts.map((c) => c.kind);
  const meta = async (p: Peer, id: string) => (await p.device.get('/v1/files/metadata', { id })).body;
  const paths = async (p: Peer) => (await p.device.listAll({ path: '/' }, { recursive: true })).map((e) => e.path);

  describe('rule 7: edit/edit', () => {
    it('keeps the PC version under the name; the phone content becomes "name (conflicted copy <device> <date>).ext" beside it', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const docs = applied(await pc.device.mkdir({ path: '/Docs' })).entry;
      const doc = applied(await pc.device.putFile({ path: '/Docs/report.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);

      const pcEdit = applied(await pc.edit(doc.id, 'pc version'));
      const body = applied(await phone.edit(doc.id, 'phone version'), 'the phone edit');
      expect(body.seq).toBe(pcEdit.seq! + 1);
      expect(kinds(body)).toEqual(['EDIT_EDIT']);
      // The answer is the file as it stays: the PC's version, untouched.
      expect(body.entry).toMatchObject({ id: doc.id, name: 'report.txt', size: 'pc version'.length, rev: pcEdit.seq });

      const record = await conflictRecord(pc.device, body.conflicts[0]!.id);
      const day = new Date(record.at).toISOString().slice(0, 10);
      expect(record).toMatchObject({ kind: 'EDIT_EDIT', deviceId: phone.deviceId, opKind: 'file.commit', seq: body.seq });
      expect(record.nodeIds).toHaveLength(2);
      expect(record.nodeIds[0]).toBe(doc.id);
      const copy = await meta(pc, record.nodeIds[1]!);
      expect(copy).toMatchObject({
        parentId: docs.id,
        name: `report (conflicted copy test phone ${day}).txt`,
        kind: 'file',
        deleted: false,
        contentHash: contentHashOf(Buffer.from('phone version')),
      });
      expect(await text(pc.device, doc.id)).toBe('pc version');
      expect(await text(pc.device, copy.id)).toBe('phone version');
      expect(await paths(pc)).toEqual(['/Docs', `/Docs/report (conflicted copy test phone ${day}).txt`, '/Docs/report.txt']);

      // Another offline edit of the same file the same day: the next copy is numbered.
      const again = applied(await phone.edit(doc.id, 'phone version 2'));
      expect(kinds(again)).toEqual(['EDIT_EDIT']);
      const second = await meta(pc, (await conflictRecord(pc.device, again.conflicts[0]!.id)).nodeIds[1]!);
      expect(second.name).toBe(`report (conflicted copy test phone ${day} 2).txt`);
      expect(await text(pc.device, second.id)).toBe('phone version 2');
      expect(await text(pc.device, doc.id)).toBe('pc version');

      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(4);
    });

    it('identical content is never a conflict: nothing changes (200, seq null)', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/same.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.edit(doc.id, 'the same words'));
      const head = await pc.device.headSeq();
      const res = await phone.edit(doc.id, 'the same words');
      expect(res.status, JSON.stringify(res.raw)).toBe(200);
      expect(res.body).toMatchObject({ seq: null, conflicts: [] });
      expect(await pc.device.headSeq()).toBe(head);
      expect(await paths(pc)).toEqual(['/same.txt']);
      await expectConverged([phone, pc]);
    });

    it('an edit after the device saw the other edit is a plain new version', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.edit(doc.id, 'pc version'));
      await phone.pull();
      const body = applied(await phone.edit(doc.id, 'phone version'));
      expect(body.conflicts).toEqual([]);
      expect(await text(pc.device, doc.id)).toBe('phone version');
      expect(await paths(pc)).toEqual(['/doc.txt']);
      await expectConverged([phone, pc]);
    });
  });

  describe('rule 2: edit beats delete', () => {
    it('brings a deleted file back at its place with the new content (EDIT_RESTORED)', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.device.remove({ id: doc.id }));
      const body = applied(await phone.edit(doc.id, 'edited offline'));
      expect(kinds(body)).toEqual(['EDIT_RESTORED']);
      expect(body.entry).toMatchObject({ id: doc.id, path: '/doc.txt', deleted: false });
      expect(await text(pc.device, doc.id)).toBe('edited offline');
      expect(await trashIds(pc.device)).toEqual([]);
      expect(await conflictRecord(pc.device, body.conflicts[0]!.id)).toMatchObject({ kind: 'EDIT_RESTORED', nodeIds: [doc.id] });
      await expectConverged([phone, pc]);
    });

    it('brings the deleted folders above it back too — only that chain, their other children stay in the trash', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const A = applied(await pc.device.mkdir({ path: '/A' })).entry;
      const B = applied(await pc.device.mkdir({ path: '/A/B' })).entry;
      const f = applied(await pc.device.putFile({ path: '/A/B/f.txt' }, Buffer.from('f'))).entry;
      const g = applied(await pc.device.putFile({ path: '/A/B/g.txt' }, Buffer.from('g'))).entry;
      const h = applied(await pc.device.putFile({ path: '/A/h.txt' }, Buffer.from('h'))).entry;
      const C = applied(await pc.device.mkdir({ path: '/A/C' })).entry;
      const i = applied(await pc.device.putFile({ path: '/A/C/i.txt' }, Buffer.from('i'))).entry;
      await syncBoth(pc, phone);

      applied(await pc.device.remove({ id: A.id }));
      const body = applied(await phone.edit(f.id, 'f edited offline'));
      expect(kinds(body)).toEqual(['EDIT_RESTORED']);
      expect(body.entry).toMatchObject({ id: f.id, path: '/A/B/f.txt', deleted: false });
      expect(await paths(pc)).toEqual(['/A', '/A/B', '/A/B/f.txt']);
      expect(await text(pc.device, f.id)).toBe('f edited offline');
      for (const n of [g, h, C, i]) expect((await meta(pc, n.id)).deleted, n.path).toBe(true);
      expect(await trashIds(pc.device)).toEqual([g.id, h.id, C.id].sort());
      expect((await meta(pc, B.id)).deleted).toBe(false);
      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(3);
    });
  });

  describe('rule 8: move/move', () => {
    it('keeps the location the server has (MOVE_MOVE); the phone is told where the node is', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const x = applied(await pc.device.putFile({ path: '/x.txt' }, Buffer.from('x'))).entry;
      const P = applied(await pc.device.mkdir({ path: '/P' })).entry;
      const Q = applied(await pc.device.mkdir({ path: '/Q' })).entry;
      await syncBoth(pc, phone);

      applied(await pc.move(x.id, { parentId: P.id }));
      const body = applied(await phone.move(x.id, { parentId: Q.id, name: 'phone.txt' }));
      expect(kinds(body)).toEqual(['MOVE_MOVE']);
      expect(body.entry).toMatchObject({ id: x.id, parentId: P.id, path: '/P/x.txt' });
      expect(await paths(pc)).toEqual(['/P', '/P/x.txt', '/Q']);
      expect(await conflictRecord(pc.device, body.conflicts[0]!.id)).toMatchObject({ kind: 'MOVE_MOVE', nodeIds: [x.id], opKind: 'node.move' });
      await expectConverged([phone, pc]);
      expect(phone.model.nodes.get(x.id)).toMatchObject({ parentId: P.id, name: 'x.txt' });
    });

    it('rule 1: the same move already made by the PC is a no-op, not a conflict', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const x = applied(await pc.device.putFile({ path: '/x.txt' }, Buffer.from('x'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.move(x.id, { name: 'y.txt' }));
      const head = await pc.device.headSeq();
      const res = await phone.move(x.id, { name: 'y.txt' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ seq: null, conflicts: [] });
      expect(await pc.device.headSeq()).toBe(head);
      await expectConverged([phone, pc]);
    });
  });

  describe('rule 9: cycles', () => {
    it('skips a move whose cycle comes from a move the device had not seen (MOVE_CYCLE); the node stays', async () => {
      const { phone, pc, root } = await phoneAndPc(t.api);
      const A = applied(await pc.device.mkdir({ path: '/A' })).entry;
      const A1 = applied(await pc.device.mkdir({ path: '/A/A1' })).entry;
      const B = applied(await pc.device.mkdir({ path: '/B' })).entry;
      const b = applied(await pc.device.putFile({ path: '/B/b.txt' }, Buffer.from('b'))).entry;
      await syncBoth(pc, phone);

      applied(await pc.move(B.id, { parentId: A1.id }));
      const body = applied(await phone.move(A.id, { parentId: B.id }));
      expect(kinds(body)).toEqual(['MOVE_CYCLE']);
      expect(body.entry).toMatchObject({ id: A.id, parentId: root, path: '/A' });
      expect(await paths(pc)).toEqual(['/A', '/A/A1', '/A/A1/B', '/A/A1/B/b.txt']);
      expect(await conflictRecord(pc.device, body.conflicts[0]!.id)).toMatchObject({ kind: 'MOVE_CYCLE', nodeIds: [A.id] });
      await expectConverged([phone, pc]);
      expect((await meta(pc, b.id)).path).toBe('/A/A1/B/b.txt');
    });

    it('never makes a cycle when the folder moved was also deleted meanwhile: it comes back in place, the move skipped', async () => {
      const { phone, pc, root } = await phoneAndPc(t.api);
      const A = applied(await pc.device.mkdir({ path: '/A' })).entry;
      const B = applied(await pc.device.mkdir({ path: '/B' })).entry;
      const b = applied(await pc.device.putFile({ path: '/B/b.txt' }, Buffer.from('b'))).entry;
      await syncBoth(pc, phone);

      // The PC moves B into A, then deletes A (with B); the phone, offline, moves A into B.
      applied(await pc.move(B.id, { parentId: A.id }));
      applied(await pc.delete(A.id));
      const body = applied(await phone.move(A.id, { parentId: B.id }));
      expect(kinds(body)).toEqual(['MOVE_CYCLE']);
      expect(body.entry).toMatchObject({ id: A.id, parentId: root, deleted: false });
      expect(await paths(pc)).toEqual(['/A', '/A/B', '/A/B/b.txt']);
      expect((await meta(pc, b.id)).deleted).toBe(false);
      await expectConverged([phone, pc]);
    });

    it('refuses moving a deleted folder into its own subtree with 400 MOVE_INTO_ITSELF', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const A = applied(await pc.device.mkdir({ path: '/A' })).entry;
      const C = applied(await pc.device.mkdir({ path: '/A/C' })).entry;
      applied(await pc.device.remove({ id: A.id }));
      await syncBoth(pc, phone);
      const head = await pc.device.headSeq();
      const res = await phone.device.move({ id: A.id, parentId: C.id });
      expect(res.status, JSON.stringify(res.raw)).toBe(400);
      expect(res.error.code).toBe('MOVE_INTO_ITSELF');
      expect(await pc.device.headSeq()).toBe(head);
      expect((await meta(pc, A.id)).deleted).toBe(true);
    });

    it('refuses a cycle the device could see itself with 400 MOVE_INTO_ITSELF, even with an old cursor; nothing changes', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const A = applied(await pc.device.mkdir({ path: '/A' })).entry;
      const A1 = applied(await pc.device.mkdir({ path: '/A/A1' })).entry;
      await syncBoth(pc, phone);
      // Something unrelated changes meanwhile: the phone's cursor is old, but the cycle is its own.
      applied(await pc.device.mkdir({ path: '/Other' }));
      const head = await pc.device.headSeq();
      for (const target of [A.id, A1.id]) {
        const res = await phone.device.move({ id: A.id, parentId: target });
        expect(res.status).toBe(400);
        expect(res.error.code).toBe('MOVE_INTO_ITSELF');
      }
      expect(await pc.device.headSeq()).toBe(head);
      expect(await paths(pc)).toEqual(['/A', '/A/A1', '/Other']);
      await expectConverged([phone, pc]);
    });
  });

  describe('rule 6: partial folder delete', () => {
    it('keeps what changed unseen and the chain above it (DELETE_PARTIAL), trashes only what the phone had seen', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
      const keep = applied(await pc.device.putFile({ path: '/F/keep.txt' }, Buffer.from('keep v1'))).entry;
      const gone = applied(await pc.device.putFile({ path: '/F/gone.txt' }, Buffer.from('gone'))).entry;
      const sub = applied(await pc.device.mkdir({ path: '/F/sub' })).entry;
      const deep = applied(await pc.device.putFile({ path: '/F/sub/deep.txt' }, Buffer.from('deep'))).entry;
      const other = applied(await pc.device.putFile({ path: '/F/sub/other.txt' }, Buffer.from('other'))).entry;
      const lone = applied(await pc.device.mkdir({ path: '/F/lone' })).entry;
      const loneFile = applied(await pc.device.putFile({ path: '/F/lone/l.txt' }, Buffer.from('l'))).entry;
      await syncBoth(pc, phone);

      // Unseen by the phone: an edit, a rename deep inside, a new file.
      applied(await pc.edit(keep.id, 'keep v2'));
      applied(await pc.move(deep.id, { name: 'deep renamed.txt' }));
      const fresh = applied(await pc.device.putFile({ path: '/F/new.txt' }, Buffer.from('new'))).entry;

      const body = applied(await phone.delete(F.id), 'the folder delete');
      expect(kinds(body)).toEqual(['DELETE_PARTIAL']);
      expect(body.entry).toMatchObject({ id: F.id, deleted: false });
      expect(await paths(pc)).toEqual(['/F', '/F/keep.txt', '/F/new.txt', '/F/sub', '/F/sub/deep renamed.txt']);
      expect(await text(pc.device, keep.id)).toBe('keep v2');
      for (const n of [gone, other, lone, loneFile]) expect((await meta(pc, n.id)).deleted, n.path).toBe(true);
      // Each trashed piece is its own trash root (its parent stayed).
      expect(await trashIds(pc.device)).toEqual([gone.id, other.id, lone.id].sort());

      const record = await conflictRecord(pc.device, body.conflicts[0]!.id);
      expect(record).toMatchObject({ kind: 'DELETE_PARTIAL', deviceId: phone.deviceId, opKind: 'node.delete' });
      expect(record.nodeIds[0]).toBe(F.id);
      expect([...record.nodeIds].sort()).toEqual([F.id, keep.id, sub.id, deep.id, fresh.id].sort());

      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(5);
    });

    it('keeps a folder moved in unseen with all it holds, and a node brought back from the trash unseen', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
      const seenFile = applied(await pc.device.putFile({ path: '/F/seen.txt' }, Buffer.from('seen'))).entry;
      const early = applied(await pc.device.putFile({ path: '/F/early.txt' }, Buffer.from('early'))).entry;
      applied(await pc.device.remove({ id: early.id }));
      const G = applied(await pc.device.mkdir({ path: '/G' })).entry;
      const g = applied(await pc.device.putFile({ path: '/G/g.txt' }, Buffer.from('g'))).entry;
      const GH = applied(await pc.device.mkdir({ path: '/G/H' })).entry;
      const h = applied(await pc.device.putFile({ path: '/G/H/h.txt' }, Buffer.from('h'))).entry;
      await syncBoth(pc, phone);

      // Unseen by the phone: G (with its subtree) moves into F; early.txt comes back from the trash.
      applied(await pc.move(G.id, { parentId: F.id }));
      applied(await pc.device.restore({ id: early.id }));

      const body = applied(await phone.delete(F.id));
      expect(kinds(body)).toEqual(['DELETE_PARTIAL']);
      expect(await paths(pc)).toEqual(['/F', '/F/early.txt', '/F/G', '/F/G/g.txt', '/F/G/H', '/F/G/H/h.txt']);
      expect((await meta(pc, seenFile.id)).deleted).toBe(true);
      for (const n of [g, GH, h, early]) expect((await meta(pc, n.id)).deleted, n.path).toBe(false);
      expect(await trashIds(pc.device)).toEqual([seenFile.id]);
      await expectConverged([phone, pc]);
    });

    it('a folder renamed in place unseen is kept; its children go only if the delete names them in removedIds', async () => {
      const run = async (withRemovedIds: boolean) => {
        const { phone, pc } = await phoneAndPc(t.api);
        const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
        const S = applied(await pc.device.mkdir({ path: '/F/S' })).entry;
        const s = applied(await pc.device.putFile({ path: '/F/S/s.txt' }, Buffer.from('s'))).entry;
        await syncBoth(pc, phone);
        applied(await pc.move(S.id, { name: 'S2' }));
        const body = applied(await phone.delete(F.id, { removedIds: withRemovedIds }));
        expect(kinds(body)).toEqual(['DELETE_PARTIAL']);
        const result = { paths: await paths(pc), trash: await trashIds(pc.device), s: s.id };
        await expectConverged([phone, pc]);
        return result;
      };
      // The phone says it removed s.txt: it had seen it there, so it goes.
      const listed = await run(true);
      expect(listed.paths).toEqual(['/F', '/F/S2']);
      expect(listed.trash).toEqual([listed.s]);
      // Without the list the server cannot tell "renamed in place" from "moved in": it keeps it.
      const unlisted = await run(false);
      expect(unlisted.paths).toEqual(['/F', '/F/S2', '/F/S2/s.txt']);
      expect(unlisted.trash).toEqual([]);
    });

    it('deletes everything when nothing below changed (no conflict)', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
      applied(await pc.device.putFile({ path: '/F/a.txt' }, Buffer.from('a')));
      await syncBoth(pc, phone);
      applied(await pc.device.mkdir({ path: '/Elsewhere' }));
      const body = applied(await phone.delete(F.id));
      expect(body.conflicts).toEqual([]);
      expect(body.entry).toMatchObject({ id: F.id, deleted: true });
      expect(await paths(pc)).toEqual(['/Elsewhere']);
      await expectConverged([phone, pc]);
    });

    it('rule 11: deleting what the PC deleted already is a no-op (200, seq null)', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const x = applied(await pc.device.putFile({ path: '/x.txt' }, Buffer.from('x'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.device.remove({ id: x.id }));
      const head = await pc.device.headSeq();
      const res = await phone.delete(x.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ seq: null, conflicts: [], entry: { id: x.id, deleted: true } });
      expect(await pc.device.headSeq()).toBe(head);
      await expectConverged([phone, pc]);
    });
  });

  describe('rule 10: name collisions (NFC + case folding)', () => {
    it('renames the incoming node of an offline create or rename (NAME_COLLISION); the phone converges', async () => {
      const { phone, pc, root } = await phoneAndPc(t.api);
      const notes = applied(await pc.device.putFile({ path: '/notes.txt' }, Buffer.from('notes'))).entry;
      await syncBoth(pc, phone);

      // Meanwhile on the PC: names that collide with what the phone does offline.
      const pcReport = applied(await pc.device.putFile({ path: '/REPORT.TXT' }, Buffer.from('pc report'))).entry;
      const pcCafe = applied(await pc.device.mkdir({ path: '/café' })).entry;
      const pcTaken = applied(await pc.device.putFile({ path: '/Taken.txt' }, Buffer.from('taken'))).entry;

      // Offline on the phone: a new file (its own id), a folder in NFD, a rename.
      const reportId = uuidv7();
      const data = Buffer.from('phone report');
      phone.model.set({ id: reportId, parentId: root, name: 'Report.txt', kind: 'file', size: data.length, contentHash: contentHashOf(data) });
      const created = applied(await phone.device.putFile({ parentId: root, name: 'Report.txt' }, data, { id: reportId }));
      expect(kinds(created)).toEqual(['NAME_COLLISION']);
      expect(created.entry).toMatchObject({ id: reportId, name: 'Report (conflicted copy test phone).txt' });
      expect(await conflictRecord(pc.device, created.conflicts[0]!.id)).toMatchObject({
        kind: 'NAME_COLLISION',
        nodeIds: [reportId, pcReport.id],
        deviceId: phone.deviceId,
      });

      const folderId = uuidv7();
      phone.model.set({ id: folderId, parentId: root, name: 'CAFE\u0301', kind: 'folder', size: 0, contentHash: null });
      const folder = applied(await phone.device.mkdir({ id: folderId, name: 'CAFE\u0301' }));
      expect(kinds(folder)).toEqual(['NAME_COLLISION']);
      expect(folder.entry.name).toBe('CAF\u00c9 (conflicted copy test phone)');

      const renamed = applied(await phone.move(notes.id, { name: 'taken.TXT' }));
      expect(kinds(renamed)).toEqual(['NAME_COLLISION']);
      expect(renamed.entry).toMatchObject({ id: notes.id, name: 'taken (conflicted copy test phone).TXT' });

      // The PC's nodes keep their names.
      for (const n of [pcReport, pcCafe, pcTaken]) expect((await meta(pc, n.id)).name).toBe(n.name);
      expect(await text(pc.device, reportId)).toBe('phone report');
      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(6);
    });
  });

  describe('different attributes do not conflict', () => {
    it('a rename on the PC and an edit on the phone both apply', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.move(doc.id, { name: 'renamed.txt' }));
      const body = applied(await phone.edit(doc.id, 'edited on the phone'));
      expect(body.conflicts).toEqual([]);
      expect(body.entry).toMatchObject({ id: doc.id, name: 'renamed.txt' });
      expect(await paths(pc)).toEqual(['/renamed.txt']);
      expect(await text(pc.device, doc.id)).toBe('edited on the phone');
      await expectConverged([phone, pc]);
    });

    it('an edit on the PC and a rename on the phone both apply', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.edit(doc.id, 'edited on the pc'));
      const body = applied(await phone.move(doc.id, { name: 'renamed.txt' }));
      expect(body.conflicts).toEqual([]);
      expect(await paths(pc)).toEqual(['/renamed.txt']);
      expect(await text(pc.device, doc.id)).toBe('edited on the pc');
      await expectConverged([phone, pc]);
    });
  });

  describe('what used to be refused as UNSEEN_CHANGE', () => {
    it("never counts a device's own changes as unseen: several operations with one old cursor all apply", async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const x = applied(await pc.device.putFile({ path: '/x.txt' }, Buffer.from('v1'))).entry;
      const dest = applied(await pc.device.mkdir({ path: '/Dest' })).entry;
      await syncBoth(pc, phone);
      const base = pc.device.cursor;
      const d = pc.device;
      const edit1 = await d.upload(Buffer.from('own edit'));
      const edit2 = await d.upload(Buffer.from('own edit 2'));
      const steps: [string, () => Promise<ApiReply<WriteResult>>][] = [
        ['/v1/files/move', () => d.move({ baseCursor: base, id: x.id, name: 'step1.txt' })],
        ['/v1/files/move', () => d.move({ baseCursor: base, id: x.id, parentId: dest.id })],
        ['/v1/files/move', () => d.move({ baseCursor: base, id: x.id, name: 'step3.txt' })],
        ['/v1/files/commit', () => d.commit({ baseCursor: base, id: x.id, blocks: edit1, size: 8 })],
        ['/v1/files/commit', () => d.commit({ baseCursor: base, id: x.id, blocks: edit2, size: 10 })],
        ['/v1/files/delete', () => d.remove({ baseCursor: base, id: dest.id })],
      ];
      for (const [path, write] of steps) {
        const res = applied(await write(), path);
        expect(res.conflicts, path).toEqual([]);
      }
      expect(await paths(pc)).toEqual([]);
      // The phone, still at that cursor, renames x inside the folder the PC deleted (rule 4).
      const res = applied(await phone.move(x.id, { name: 'other.txt' }));
      expect(kinds(res)).toEqual(['PARENT_RESTORED']);
      expect(await paths(pc)).toEqual(['/Dest', '/Dest/other.txt']);
      expect(await text(pc.device, x.id)).toBe('own edit 2');
      await expectConverged([phone, pc]);
    });

    it('a commit by path onto a file the PC edited meanwhile is an edit/edit', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.edit(doc.id, 'from the pc'));
      const res = applied(await phone.device.putFile({ path: '/doc.txt' }, Buffer.from('from the phone')));
      expect(kinds(res)).toEqual(['EDIT_EDIT']);
      expect(res.entry.id).toBe(doc.id);
      expect(await text(pc.device, doc.id)).toBe('from the pc');
      const copyId = (await conflictRecord(pc.device, res.conflicts[0]!.id)).nodeIds[1]!;
      expect(await text(pc.device, copyId)).toBe('from the phone');
      expect(await paths(pc)).toHaveLength(2);
    });

    it('restoring an old revision over an unseen edit is an edit/edit: the old version becomes the copy', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('v1'))).entry;
      await pc.pull();
      applied(await pc.edit(doc.id, 'v2'));
      await syncBoth(pc, phone);
      applied(await pc.edit(doc.id, 'v3 from the pc'));
      const res = applied(await phone.device.restoreRevision({ id: doc.id, revision: doc.rev }));
      expect(kinds(res)).toEqual(['EDIT_EDIT']);
      expect(await text(pc.device, doc.id)).toBe('v3 from the pc');
      const record = await conflictRecord(pc.device, res.conflicts[0]!.id);
      expect(record.opKind).toBe('revision.restore');
      expect(await text(pc.device, record.nodeIds[1]!)).toBe('v1');
      await expectConverged([phone, pc]);
    });

    it('creating a file in a folder the PC deleted brings the folder back holding only it (PARENT_RESTORED)', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const dest = applied(await pc.device.mkdir({ path: '/Dest' })).entry;
      const old = applied(await pc.device.putFile({ path: '/Dest/old.txt' }, Buffer.from('old'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.device.remove({ id: dest.id }));
      const data = Buffer.from('new');
      const res = applied(await phone.device.putFile({ parentId: dest.id, name: 'new.txt' }, data));
      expect(kinds(res)).toEqual(['PARENT_RESTORED']);
      expect(res.entry).toMatchObject({ name: 'new.txt', path: '/Dest/new.txt', parentId: dest.id });
      expect(await conflictRecord(pc.device, res.conflicts[0]!.id)).toMatchObject({ nodeIds: [res.entry.id, dest.id], opKind: 'file.commit' });
      expect(await paths(pc)).toEqual(['/Dest', '/Dest/new.txt']);
      expect(await trashIds(pc.device)).toEqual([old.id]);
      phone.model.set({ id: res.entry.id, parentId: dest.id, name: 'new.txt', kind: 'file', size: 3, contentHash: contentHashOf(data) });
      await expectConverged([phone, pc]);
    });
  });

  describe('the three rules that are easy to miss', () => {
    it('what the server makes is never seen by the batch that caused it: a conflicted copy survives the delete of its folder', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const D = applied(await pc.device.mkdir({ path: '/D' })).entry;
      const doc = applied(await pc.device.putFile({ path: '/D/doc.txt' }, Buffer.from('v1'))).entry;
      const other = applied(await pc.device.putFile({ path: '/D/other.txt' }, Buffer.from('other'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.edit(doc.id, 'pc version'));

      // Offline on the phone: edit doc.txt, then delete /D. Sent later as one batch with the old cursor.
      const data = Buffer.from('phone version');
      const blocks = await phone.device.upload(data);
      const removedIds = phone.model.subtreeIds(D.id);
      phone.model.remove(D.id);
      const base = phone.device.cursor;
      const res = await phone.device.batch([
        { type: 'commit', baseCursor: base, id: doc.id, blocks, size: data.length },
        { type: 'delete', baseCursor: base, id: D.id, removedIds },
      ]);
      expect(res.status, JSON.stringify(res.raw)).toBe(200);
      const [editResult, deleteResult] = res.body.results;
      expect(editResult!.status).toBe(201);
      expect(editResult!.result!.conflicts.map((c) => c.kind)).toEqual(['EDIT_EDIT']);
      const copyId = (await conflictRecord(pc.device, editResult!.result!.conflicts[0]!.id)).nodeIds[1]!;
      expect(deleteResult!.status).toBe(201);
      expect(deleteResult!.result!.conflicts.map((c) => c.kind)).toEqual(['DELETE_PARTIAL']);

      // The copy and its folder survive; what the phone had seen and not changed is trashed.
      expect(await meta(pc, copyId)).toMatchObject({ deleted: false, parentId: D.id });
      expect(await text(pc.device, copyId)).toBe('phone version');
      expect((await meta(pc, D.id)).deleted).toBe(false);
      expect((await meta(pc, other.id)).deleted).toBe(true);
      const record = await conflictRecord(pc.device, deleteResult!.result!.conflicts[0]!.id);
      expect(record.nodeIds).toContain(copyId);
      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(3);
    });

    it('folders the server restored for an edit, which the phone had all along, go with its later delete of them', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const A = applied(await pc.device.mkdir({ path: '/A' })).entry;
      applied(await pc.device.mkdir({ path: '/A/B' }));
      const f = applied(await pc.device.putFile({ path: '/A/B/f.txt' }, Buffer.from('f'))).entry;
      const g = applied(await pc.device.putFile({ path: '/A/B/g.txt' }, Buffer.from('g'))).entry;
      const h = applied(await pc.device.putFile({ path: '/A/h.txt' }, Buffer.from('h'))).entry;
      await syncBoth(pc, phone);
      applied(await pc.delete(A.id));

      // Offline on the phone: edit f.txt, then delete /A with everything it held.
      const data = Buffer.from('f edited');
      const blocks = await phone.device.upload(data);
      const removedIds = phone.model.subtreeIds(A.id);
      phone.model.remove(A.id);
      const base = phone.device.cursor;
      const res = await phone.device.batch([
        { type: 'commit', baseCursor: base, id: f.id, blocks, size: data.length },
        { type: 'delete', baseCursor: base, id: A.id, removedIds },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.results.map((r) => [r.status, r.result?.conflicts.map((c) => c.kind)])).toEqual([
        [201, ['EDIT_RESTORED']],
        [201, []],
      ]);
      expect(await paths(pc)).toEqual([]);
      // The phone's new content is in the trash with the folder; what the PC's delete took stays there too.
      expect(await trashIds(pc.device)).toEqual([A.id, g.id, h.id].sort());
      const back = applied(await pc.device.restore({ id: A.id }));
      expect(back.entry.id).toBe(A.id);
      expect(await paths(pc)).toEqual(['/A', '/A/B', '/A/B/f.txt']);
      expect(await text(pc.device, f.id)).toBe('f edited');
      await expectConverged([phone, pc]);
    });

    it('a recursive delete carries the ids the device removed: one moved out meanwhile is re-sent after its cursor', async () => {
      const run = async (withRemovedIds: boolean) => {
        const { phone, pc, root } = await phoneAndPc(t.api);
        const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
        const x = applied(await pc.device.putFile({ path: '/F/x.txt' }, Buffer.from('x'))).entry;
        const y = applied(await pc.device.putFile({ path: '/F/y.txt' }, Buffer.from('y'))).entry;
        await syncBoth(pc, phone);
        const base = phone.device.cursor;

        // Offline, the phone deletes F (and with it x and y) on its own tree.
        const removedIds = phone.model.subtreeIds(F.id);
        expect(removedIds.sort()).toEqual([F.id, x.id, y.id].sort());
        phone.model.remove(F.id);
        // Meanwhile the PC moves x out of F.
        const moved = applied(await pc.move(x.id, { parentId: root }));
        // The phone reads the delta before pushing its queued delete, and — x being deleted
        // locally — lets the move go by: its cursor is now past the move.
        const seenMeanwhile = await phone.device.sync();
        expect(seenMeanwhile.map((e) => e.seq)).toEqual([moved.seq]);

        const res = await phone.device.remove({ baseCursor: base, id: F.id, ...(withRemovedIds ? { removedIds } : {}) });
        const body = applied(res);
        expect(body.entry).toMatchObject({ id: F.id, deleted: true });
        // The node stays live.
        expect(await meta(pc, x.id)).toMatchObject({ deleted: false, parentId: root });
        expect((await meta(pc, y.id)).deleted).toBe(true);
        const after = await phone.pull();
        return { x, y, body, after, phone, pc };
      };

      const withIds = await run(true);
      expect(withIds.after.filter((e) => e.id === withIds.x.id).map((e) => [e.seq, e.deleted, e.path])).toEqual([
        [withIds.body.seq, false, '/x.txt'],
      ]);
      await expectConverged([withIds.phone, withIds.pc]);

      // Without removedIds the server cannot know, and the phone would never learn x again.
      const without = await run(false);
      expect(without.after.map((e) => e.id)).not.toContain(without.x.id);
      expect(without.phone.model.nodes.has(without.x.id)).toBe(false);
      expect(await serverRows(without.pc.device)).toHaveLength(1);
    });

    it('a touch is not a change: the re-sent node keeps its rev and revisions, so later writes meet no false conflict', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('v1'))).entry;
      await syncBoth(pc, phone);

      const pcRename = applied(await pc.move(doc.id, { name: 'pc.txt' }));
      await pc.pull();
      // The phone's lost rename re-emits the node (a touch) at a new seq…
      const lost = applied(await phone.move(doc.id, { name: 'phone.txt' }));
      expect(kinds(lost)).toEqual(['MOVE_MOVE']);
      expect(lost.seq).toBe(pcRename.seq! + 1);
      // …without making it a change: its rev is still the PC's rename.
      expect(lost.entry).toMatchObject({ name: 'pc.txt', rev: pcRename.seq });
      expect(await meta(pc, doc.id)).toMatchObject({ name: 'pc.txt', rev: pcRename.seq });
      const touched = (await pc.device.readDelta(pc.device.cursor)).entries;
      expect(touched.map((e) => [e.id, e.seq, e.rev])).toEqual([[doc.id, lost.seq, pcRename.seq]]);

      // The PC, which has not read the touch, edits and renames: no conflict, no copy.
      const edit = applied(await pc.edit(doc.id, 'pc edit'));
      expect(edit.conflicts).toEqual([]);
      const rename = applied(await pc.move(doc.id, { name: 'pc again.txt' }));
      expect(rename.conflicts).toEqual([]);
      expect(await paths(pc)).toEqual(['/pc again.txt']);
      expect(await text(pc.device, doc.id)).toBe('pc edit');
      // No revision was made by the touch.
      const revisions = (await pc.device.get('/v1/files/revisions', { id: doc.id })).body;
      expect(revisions.map((r) => r.revision)).toEqual([edit.seq, doc.rev]);

      // A stale delete re-emits too; the PC's later edit is still no conflict.
      const stale = applied(await phone.delete(doc.id));
      expect(kinds(stale)).toEqual(['DELETE_STALE']);
      expect(stale.entry.rev).toBe(rename.seq);
      const edit2 = applied(await pc.edit(doc.id, 'pc edit 2'));
      expect(edit2.conflicts).toEqual([]);
      await expectConverged([phone, pc]);
    });
  });
});
