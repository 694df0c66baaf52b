import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { WriteResult } from '../../client/src/sdk/types.js';
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
    applied(await pc.device.remove({ id: trashed.id }));
    await pc.pull();
    await phone.pull();
    applied(await pc.edit(x.id, 'x v2'));
    const blocks = await phone.device.upload(Buffer.from('x v3'));
    // A real conflict to try to resolve.
    applied(await pc.device.mkdir({ path: '/Dup' }));
    const collision = applied(await phone.device.mkdir({ path: '/dup' }));
    const conflictId = collision.conflicts[0]!.id;

    const stranger = await phoneAndPc(t.api);
    applied(await stranger.phone.device.mkdir({ path: '/Theirs' }));
    const head = await pc.device.headSeq();
    const before = {
      rows: await serverRows(pc.device),
      trash: await trashIds(pc.device),
      conflicts: await allConflicts(pc.device),
    };
    const revisions = (await pc.device.get('/v1/files/revisions', { id: x.id })).body;

    const cursors: [string, string][] = [
      ['one past the head', craftCursor(root, head + 1)],
      ['far in the future', craftCursor(root, head + 1_000_000)],
      ["another user's namespace", await stranger.phone.device.latest()],
      ['another namespace at seq 0', craftCursor(stranger.root, 0)],
      ['not a cursor at all', 'garbage'],
    ];
    const d = phone.device;
    const writes: [string, (w: { baseCursor: string; opId: string }) => Promise<ApiReply<WriteResult>>][] = [
      ['create a folder', (w) => d.mkdir({ path: '/New', ...w })],
      ['edit x (would be edit/edit, or seen as a plain edit)', (w) => d.commit({ id: x.id, blocks, size: 4, ...w })],
      ['create a file', (w) => d.commit({ path: '/new.txt', blocks, size: 4, ...w })],
      ['rename x', (w) => d.move({ id: x.id, name: 'renamed.txt', ...w })],
      ['delete x (would be a stale delete)', (w) => d.remove({ id: x.id, ...w })],
      ['restore from the trash', (w) => d.restore({ id: trashed.id, ...w })],
      ['restore a revision', (w) => d.restoreRevision({ id: x.id, revision: revisions.at(-1)!.revision, ...w })],
      ['resolve a conflict', (w) => d.resolve(conflictId, { resolution: 'acknowledge', ...w })],
    ];
    for (const [cursorLabel, cursor] of cursors) {
      for (const [label, write] of writes) {
        const res = await write({ baseCursor: cursor, opId: 'same-op' });
        expect(res.status, `${label} with a cursor ${cursorLabel}: ${JSON.stringify(res.raw)}`).toBe(400);
        expect(res.error.code).toBe('CURSOR_INVALID');
      }
      // In a batch, the operation fails alone with the same code.
      const batch = await d.batch([{ type: 'move', baseCursor: cursor, id: x.id, name: 'batched.txt' }]);
      expect(batch.status).toBe(200);
      expect(batch.body.results).toEqual([{ status: 400, opId: null, error: expect.objectContaining({ code: 'CURSOR_INVALID' }) }]);
    }

    expect(await pc.device.headSeq()).toBe(head);
    expect(await serverRows(pc.device)).toEqual(before.rows);
    expect(await trashIds(pc.device)).toEqual(before.trash);
    expect(await allConflicts(pc.device)).toEqual(before.conflicts);
    expect((await stranger.phone.device.listAll({ path: '/' }, { recursive: true })).map((e) => e.path)).toEqual(['/Theirs']);

    // A refused operation was not recorded under its opId: with a real cursor it applies, and
    // meets the PC's edit as the edit/edit it is.
    const ok = applied(await phone.device.commit({ id: x.id, blocks, size: 4, opId: 'same-op' }));
    expect(ok.conflicts.map((c) => c.kind)).toEqual(['EDIT_EDIT']);
  });
});
