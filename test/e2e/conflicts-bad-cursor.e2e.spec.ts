import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { allConflicts, applied, phoneAndPc, serverRows, trashIds } from '../support/conflict-devices.js';

/** A cursor as the server encodes it (tests only: clients treat cursors as opaque). */
const craftCursor = (ns: string, seq: number, skip = 0) => Buffer.from(`1.${ns}.${seq}.${skip}`, 'utf8').toString('base64url');

/**
 * The base cursor decides what a device had seen, so the policy is only as good as it: one
 * from the future or from another namespace would make the server treat unseen changes as
 * seen. Such a write is refused with 400 CURSOR_INVALID and changes nothing.
 */
describe('bad base cursors (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig('conflicts_bad_cursor'));
  });
  afterAll(() => t?.close());

  it('refuses a baseCursor ahead of the journal or from another namespace on every write; nothing changes', async () => {
    const { phone, pc, root } = await phoneAndPc(t.api);
    const x = applied(await pc.device.putFile({ path: '/x.txt' }, Buffer.from('x v1'))).entry;
    const trashed = applied(await pc.device.putFile({ path: '/trashed.txt' }, Buffer.from('t'))).entry;
    applied(await pc.device.post('/v1/files/delete', { id: trashed.id }));
    await pc.pull();
    await phone.pull();
    applied(await pc.edit(x.id, 'x v2'));
    const blocks = await phone.device.upload(Buffer.from('x v3'));
    // A real conflict to try to resolve.
    applied(await pc.device.mkdir({ path: '/Dup' }));
    const collision = applied(await phone.device.mkdir({ path: '/dup' }));
    const conflictId = collision.conflicts[0].id as string;

    const stranger = await phoneAndPc(t.api);
    applied(await stranger.phone.device.mkdir({ path: '/Theirs' }));
    const head = await pc.device.headSeq();
    const before = {
      rows: await serverRows(t.api, pc.device.token),
      trash: await trashIds(pc.device),
      conflicts: await allConflicts(pc.device),
    };
    const revisions = (await pc.device.get(`/v1/files/revisions?id=${x.id}`)).body;

    const cursors: [string, string][] = [
      ['one past the head', craftCursor(root, head + 1)],
      ['far in the future', craftCursor(root, head + 1_000_000)],
      ["another user's namespace", await stranger.phone.device.latest()],
      ['another namespace at seq 0', craftCursor(stranger.root, 0)],
      ['not a cursor at all', 'garbage'],
    ];
    const writes: [string, string, Record<string, unknown>][] = [
      ['create a folder', '/v1/folders', { path: '/New' }],
      ['edit x (would be edit/edit, or seen as a plain edit)', '/v1/files/commit', { id: x.id, blocks, size: 4 }],
      ['create a file', '/v1/files/commit', { path: '/new.txt', blocks, size: 4 }],
      ['rename x', '/v1/files/move', { id: x.id, name: 'renamed.txt' }],
      ['delete x (would be a stale delete)', '/v1/files/delete', { id: x.id }],
      ['restore from the trash', '/v1/files/restore', { id: trashed.id }],
      ['restore a revision', '/v1/files/revisions/restore', { id: x.id, revision: revisions.at(-1).revision }],
      ['resolve a conflict', `/v1/conflicts/${conflictId}/resolve`, { resolution: 'acknowledge' }],
    ];
    for (const [cursorLabel, cursor] of cursors) {
      for (const [label, path, body] of writes) {
        const res = await phone.device.postWith(cursor, path, { ...body, opId: 'same-op' });
        expect(res.status, `${label} with a cursor ${cursorLabel}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.code).toBe('CURSOR_INVALID');
      }
      // In a batch, the operation fails alone with the same code.
      const batch = await phone.device.api.post(
        '/v1/batch',
        { ops: [{ type: 'move', baseCursor: cursor, id: x.id, name: 'batched.txt' }] },
        phone.device.token,
      );
      expect(batch.status).toBe(200);
      expect(batch.body.results).toEqual([{ status: 400, opId: null, error: expect.objectContaining({ code: 'CURSOR_INVALID' }) }]);
    }

    expect(await pc.device.headSeq()).toBe(head);
    expect(await serverRows(t.api, pc.device.token)).toEqual(before.rows);
    expect(await trashIds(pc.device)).toEqual(before.trash);
    expect(await allConflicts(pc.device)).toEqual(before.conflicts);
    expect((await stranger.phone.device.listAll('path=/&recursive=true')).map((e) => e.path)).toEqual(['/Theirs']);

    // A refused operation was not recorded under its opId: with a real cursor it applies, and
    // meets the PC's edit as the edit/edit it is.
    const ok = applied(await phone.device.post('/v1/files/commit', { id: x.id, blocks, size: 4, opId: 'same-op' }));
    expect(ok.conflicts.map((c: any) => c.kind)).toEqual(['EDIT_EDIT']);
  });
});
