import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';
import { MovableClock } from '../support/movable-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testEnv } from '../support/test-env.js';
import { applied, conflictRecord, expectConverged, phoneAndPc, text, trashIds } from '../support/conflict-devices.js';
import type { Device } from '../support/device.js';

/**
 * Tombstones outlive the trash (docs/conflicts.md): a device that comes back after the trash was
 * purged still meets the policy — but what has no content any more cannot come back as a
 * live file, and what does come back is no longer a purged tombstone.
 */
describe('the conflict policy after trash retention (e2e)', () => {
  const clock = new MovableClock();
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    const env = testEnv('conflicts_purged', 'fs', { GC_FENCE_SECONDS: '0', RETENTION_INTERVAL_MINUTES: '0', ADMIN_EMAILS: 'admin@example.com' });
    t = await startTestApp(loadConfig(env), { override: (b) => b.overrideProvider(Clock).useValue(clock) });
    adminToken = (await t.api.register('admin@example.com')).tokens.accessToken;
  });
  afterAll(() => t?.close());

  /** Ninety-one days later, the purge job runs. */
  async function purgeAfterRetention(expectedNodes: number) {
    clock.advanceDays(91);
    const res = await t.api.post('/v1/admin/jobs/purge', {}, adminToken);
    expect(res.status).toBe(200);
    expect(res.body.report.purgedNodes).toBe(expectedNodes);
  }
  const meta = async (device: Device, id: string) => (await device.get('/v1/files/metadata', { id })).body;

  it('a rename of a purged folder brings the folder back, not its purged files (their tombstones stay in the trash)', async () => {
    const { phone, pc } = await phoneAndPc(t.api);
    const F = applied(await pc.device.mkdir({ path: '/F' })).entry;
    const x = applied(await pc.device.putFile({ path: '/F/x.txt' }, Buffer.from('xxxx'))).entry;
    await pc.pull();
    await phone.pull();
    applied(await pc.delete(F.id));
    await purgeAfterRetention(2);

    const body = applied(await phone.move(F.id, { name: 'F2' }));
    expect(body.conflicts.map((c: any) => c.kind)).toEqual(['MOVE_RESTORED']);
    expect(body.entry).toMatchObject({ id: F.id, path: '/F2', deleted: false });
    expect(await meta(pc.device, x.id)).toMatchObject({ deleted: true });
    expect(await trashIds(pc.device)).toEqual([x.id]);
    expect((await pc.device.listAll({ path: '/' }, { recursive: true })).map((e) => e.path)).toEqual(['/F2']);
    await expectConverged([phone, pc]);
  });

  it('a rename of a purged file is refused with 410 PURGED; nothing changes', async () => {
    const { phone, pc } = await phoneAndPc(t.api);
    const y = applied(await pc.device.putFile({ path: '/y.txt' }, Buffer.from('yyyy'))).entry;
    await pc.pull();
    await phone.pull();
    applied(await pc.delete(y.id));
    await purgeAfterRetention(1);
    const head = await pc.device.headSeq();
    const res = await phone.device.move({ id: y.id, name: 'y2.txt' });
    expect(res.status, JSON.stringify(res.raw)).toBe(410);
    expect(res.error.code).toBe('PURGED');
    expect(await pc.device.headSeq()).toBe(head);
    expect(await meta(pc.device, y.id)).toMatchObject({ deleted: true, name: 'y.txt' });
  });

  it('an edit of a purged file brings it back with the new content, as an ordinary file again', async () => {
    const { phone, pc } = await phoneAndPc(t.api);
    const A = applied(await pc.device.mkdir({ path: '/A' })).entry;
    const f = applied(await pc.device.putFile({ path: '/A/f.txt' }, Buffer.from('old f'))).entry;
    await pc.pull();
    await phone.pull();
    applied(await pc.delete(A.id));
    await purgeAfterRetention(2);

    const body = applied(await phone.edit(f.id, 'new f'));
    expect(body.conflicts.map((c: any) => c.kind)).toEqual(['EDIT_RESTORED']);
    expect(await conflictRecord(pc.device, body.conflicts[0]!.id)).toMatchObject({ nodeIds: [f.id] });
    expect(await text(pc.device, f.id)).toBe('new f');
    await expectConverged([phone, pc]);

    // Deleted again, it is restorable like any file (not "purged")…
    applied(await pc.delete(A.id));
    const restored = applied(await pc.device.restore({ id: A.id }));
    expect(restored.entry).toMatchObject({ id: A.id, deleted: false });
    expect(await text(pc.device, f.id)).toBe('new f');
    // …and retention purges it again once its time in the trash is up.
    applied(await pc.delete(A.id));
    await purgeAfterRetention(2);
    const again = await pc.device.restore({ id: A.id });
    expect(again.status).toBe(410);
  });
});
