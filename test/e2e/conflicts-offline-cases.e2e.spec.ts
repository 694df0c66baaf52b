import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { applied, conflictRecord, expectConverged, phoneAndPc, text, trashIds } from '../support/conflict-devices.js';

/**
 * The three cases that started the project (docs/conflicts.md): the phone works offline and
 * sends its operation later with the cursor it had; the PC stays online. Each ends in the
 * documented tree, with a conflict record, and both devices — folding their own deltas —
 * hold exactly the server's tree.
 */
describe('the three offline cases (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig('conflicts_offline'));
  });
  afterAll(() => t?.close());

  it('(a) deleted on the phone offline while the PC renamed it: the delete loses (rule 5, DELETE_STALE)', async () => {
    const { phone, pc } = await phoneAndPc(t.api);
    const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('the document'))).entry;
    await pc.pull();
    await phone.pull();

    // Online, the PC renames it.
    const rename = applied(await pc.device.move({ id: doc.id, name: 'renamed.txt' }));
    // Offline, the phone deletes it (locally first), then sends the delete with its old cursor.
    phone.model.remove(doc.id);
    const del = await phone.device.remove({ id: doc.id });
    const body = applied(del, 'the stale delete');
    expect(body.seq).toBe(rename.seq! + 1);
    expect(body.entry).toMatchObject({ id: doc.id, name: 'renamed.txt', path: '/renamed.txt', deleted: false });
    expect(body.conflicts).toEqual([{ id: expect.any(String), kind: 'DELETE_STALE' }]);

    // The file survives under its new name.
    const meta = (await pc.device.get('/v1/files/metadata', { id: doc.id })).body;
    expect(meta).toMatchObject({ deleted: false, path: '/renamed.txt' });
    expect(await text(pc.device, doc.id)).toBe('the document');
    expect(await trashIds(pc.device)).toEqual([]);

    const record = await conflictRecord(pc.device, body.conflicts[0]!.id);
    expect(record).toMatchObject({
      kind: 'DELETE_STALE',
      nodeIds: [doc.id],
      deviceId: phone.deviceId,
      opKind: 'node.delete',
      seq: body.seq,
      resolvedAt: null,
    });

    // The phone's delta re-sends it: the entry of its own delete carries the node, live.
    const phoneEntries = await phone.pull();
    expect(phoneEntries.filter((e) => e.id === doc.id).map((e) => [e.seq, e.name, e.deleted])).toEqual([
      [rename.seq, 'renamed.txt', false],
      [body.seq, 'renamed.txt', false],
    ]);
    const rows = await expectConverged([phone, pc]);
    expect(rows).toHaveLength(1);
    expect(phone.model.nodes.get(doc.id)).toMatchObject({ name: 'renamed.txt' });
  });

  it('(b) deleted on the PC while the phone offline renames it: rename beats delete (rule 3, MOVE_RESTORED)', async () => {
    const { phone, pc, root } = await phoneAndPc(t.api);
    const doc = applied(await pc.device.putFile({ path: '/doc.txt' }, Buffer.from('keep me'))).entry;
    await pc.pull();
    await phone.pull();

    const del = applied(await pc.device.remove({ id: doc.id }));
    expect(await trashIds(pc.device)).toEqual([doc.id]);

    phone.model.patch(doc.id, { name: 'phone name.txt' });
    const body = applied(await phone.device.move({ id: doc.id, name: 'phone name.txt' }), 'the rename');
    expect(body.seq).toBe(del.seq! + 1);
    expect(body.entry).toMatchObject({ id: doc.id, parentId: root, name: 'phone name.txt', path: '/phone name.txt', deleted: false });
    expect(body.conflicts).toEqual([{ id: expect.any(String), kind: 'MOVE_RESTORED' }]);

    // The file is back, under the phone's new name, with its content, and out of the trash.
    expect((await pc.device.get('/v1/files/metadata', { path: '/phone name.txt' })).body).toMatchObject({ id: doc.id, deleted: false });
    expect(await text(pc.device, doc.id)).toBe('keep me');
    expect(await trashIds(pc.device)).toEqual([]);
    expect(await conflictRecord(phone.device, body.conflicts[0]!.id)).toMatchObject({
      kind: 'MOVE_RESTORED',
      nodeIds: [doc.id],
      deviceId: phone.deviceId,
      opKind: 'node.move',
    });

    // The PC learns it back from its delta.
    const pcEntries = await pc.pull();
    expect(pcEntries.map((e) => [e.id, e.name, e.deleted])).toEqual([
      [doc.id, 'doc.txt', true],
      [doc.id, 'phone name.txt', false],
    ]);
    const rows = await expectConverged([phone, pc]);
    expect(rows).toHaveLength(1);
  });

  it('(b) with a folder: the phone renames a folder the PC deleted; it comes back with what that delete removed', async () => {
    const { phone, pc } = await phoneAndPc(t.api);
    const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
    const a = applied(await pc.device.putFile({ path: '/F/a.txt' }, Buffer.from('a'))).entry;
    const early = applied(await pc.device.putFile({ path: '/F/early.txt' }, Buffer.from('early'))).entry;
    applied(await pc.device.remove({ id: early.id }));
    await pc.pull();
    await phone.pull();

    applied(await pc.device.remove({ id: F.id }));
    phone.model.patch(F.id, { name: 'F renamed' });
    const body = applied(await phone.device.move({ id: F.id, name: 'F renamed' }));
    // The answer (and the journal entry's first change) is the node the operation was about.
    expect(body.entry).toMatchObject({ id: F.id, path: '/F renamed', deleted: false });
    expect(body.conflicts.map((c: any) => c.kind)).toEqual(['MOVE_RESTORED']);
    expect((await pc.device.get('/v1/files/metadata', { id: a.id })).body).toMatchObject({ deleted: false, path: '/F renamed/a.txt' });
    // Deleted earlier on its own: it stays in the trash.
    expect((await pc.device.get('/v1/files/metadata', { id: early.id })).body.deleted).toBe(true);
    expect(await trashIds(pc.device)).toEqual([early.id]);
    const rows = await expectConverged([phone, pc]);
    expect(rows).toHaveLength(2);
  });

  it('(c) folder deleted on the PC while the phone offline renames a file inside: the folder comes back holding only that file (rule 4, PARENT_RESTORED)', async () => {
    const { phone, pc, root } = await phoneAndPc(t.api);
    const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
    const a = applied(await pc.device.putFile({ path: '/F/a.txt' }, Buffer.from('file a'))).entry;
    const b = applied(await pc.device.putFile({ path: '/F/b.txt' }, Buffer.from('file b'))).entry;
    const sub = applied(await pc.device.mkdir({ path: '/F/sub' })).entry;
    const c = applied(await pc.device.putFile({ path: '/F/sub/c.txt' }, Buffer.from('file c'))).entry;
    const other = applied(await pc.device.putFile({ path: '/other.txt' }, Buffer.from('untouched'))).entry;
    await pc.pull();
    await phone.pull();

    const del = applied(await pc.device.remove({ id: F.id }));
    expect(del.entry).toMatchObject({ id: F.id, deleted: true });
    expect(await trashIds(pc.device)).toEqual([F.id]);

    phone.model.patch(a.id, { name: 'a renamed.txt' });
    const body = applied(await phone.device.move({ id: a.id, name: 'a renamed.txt' }), 'the rename inside');
    expect(body.entry).toMatchObject({ id: a.id, parentId: F.id, path: '/F/a renamed.txt', deleted: false });
    expect(body.conflicts).toEqual([{ id: expect.any(String), kind: 'PARENT_RESTORED' }]);

    // The folder is back holding only that file.
    const listing = await pc.device.listAll({ path: '/' }, { recursive: true });
    expect(listing.map((e) => e.path)).toEqual(['/F', '/F/a renamed.txt', '/other.txt']);
    expect(listing.find((e) => e.id === F.id)).toMatchObject({ parentId: root, name: 'F' });
    expect(await text(pc.device, a.id)).toBe('file a');
    // The folder's other children stay in the trash, each restorable from there.
    for (const id of [b.id, sub.id, c.id]) expect((await pc.device.get('/v1/files/metadata', { id: id })).body.deleted, id).toBe(true);
    expect(await trashIds(pc.device)).toEqual([b.id, sub.id].sort());

    const record = await conflictRecord(pc.device, body.conflicts[0]!.id);
    expect(record).toMatchObject({ kind: 'PARENT_RESTORED', deviceId: phone.deviceId, opKind: 'node.move', seq: body.seq });
    expect(record.nodeIds[0]).toBe(a.id);

    const rows = await expectConverged([phone, pc]);
    expect(rows).toHaveLength(3);
    expect([...phone.model.nodes.keys()].sort()).toEqual([F.id, a.id, other.id].sort());

    // What stayed in the trash comes back from there into the restored folder.
    const back = applied(await pc.device.restore({ id: sub.id }));
    expect(back.entry).toMatchObject({ path: '/F/sub', deleted: false });
    expect((await pc.device.get('/v1/files/metadata', { id: c.id })).body).toMatchObject({ deleted: false, path: '/F/sub/c.txt' });
    expect(await trashIds(pc.device)).toEqual([b.id]);
    await expectConverged([phone, pc]);
  });
});
