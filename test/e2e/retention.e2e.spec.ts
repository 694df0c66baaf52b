import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Clock } from '../../src/common/clock.js';
import { BLOB_STORE, type BlobStore } from '../../src/infra/storage/blob-store.js';
import { BlocksRepository } from '../../src/modules/blocks/blocks.repository.js';
import { JournalRepository } from '../../src/modules/journal/journal.repository.js';
import { PURGE_ENTRY_LIMIT } from '../../src/modules/namespace/planner/purge.js';
import { getModelToken } from '@nestjs/mongoose';
import { collectionOf } from '../../src/infra/database/collections.js';
import { NODE_MODEL, type NodeDoc } from '../../src/modules/namespace/schemas/node.schema.js';
import { hashBuffer } from '../../src/shared/content-hash.js';
import { MovableClock } from '../support/movable-clock.js';
import { sha256 } from '../support/bytes.js';
import type { SessionInfo } from '../../client/src/sdk/types.js';
import { Device, newDevice } from '../support/device.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ServerProcess } from '../support/server-process.js';
import { testEnv } from '../support/test-env.js';
import { loadConfig } from '../../src/config/app-config.js';

/**
 * Trash retention, old versions and block garbage collection, with a clock the test moves:
 * after 91 days, purge and GC remove exactly what nothing references any more.
 */
describe.each(['fs', 's3'] as const)('retention and garbage collection on the %s store (e2e)', (store) => {
  const clock = new MovableClock();
  let t: TestApp;
  let blobs: BlobStore;
  let adminSession: SessionInfo;
  let admin: Device;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = testEnv(`retention_${store}`, store, { GC_FENCE_SECONDS: '0', RETENTION_INTERVAL_MINUTES: '0', ADMIN_EMAILS: 'admin@example.com' });
    t = await startTestApp(loadConfig(env), { override: (b) => b.overrideProvider(Clock).useValue(clock) });
    blobs = t.app.get(BLOB_STORE);
    adminSession = await t.api.register('admin@example.com');
    admin = Device.of(t.api, adminSession, 'admin');
  });
  afterAll(() => t?.close());

  async function stored(): Promise<Set<string>> {
    const keys = new Set<string>();
    for await (const b of blobs.list()) keys.add(b.key);
    return keys;
  }

  async function write(d: Device, path: string, data: Buffer, id?: string) {
    await d.latest();
    const res = await d.putFile(id ? { path } : { path }, data, id ? { id } : {});
    expect([200, 201], JSON.stringify(res.raw)).toContain(res.status);
    return res.body.entry;
  }

  async function remove(d: Device, id: string) {
    await d.latest();
    expect((await d.remove({ id })).status).toBe(201);
  }

  it('keeps exactly what is still referenced, and every live file still reads back byte for byte', async () => {
    const a = (await newDevice(t.api)).device;
    const b = (await newDevice(t.api)).device;
    const shared = randomBytes(5 * 1024 * 1024); // 2 blocks
    const trashed = randomBytes(3000);
    const oldVersion = randomBytes(2000);
    const newVersion = randomBytes(2100);
    const onlyB = randomBytes(1500);

    // Day 0: A's live file; A's file that goes to the trash; A's file with a version that will be old.
    const live = await write(a, '/live.bin', shared);
    const gone = await write(a, '/gone.bin', trashed);
    await remove(a, gone.id);
    const versioned = await write(a, '/versioned.bin', oldVersion);
    await write(a, '/versioned.bin', newVersion, versioned.id);
    // B stores the same bytes as A's live file (one object in storage) plus its own, then trashes it.
    const bFile = await write(b, '/b.bin', Buffer.concat([shared, onlyB]));
    await remove(b, bFile.id);
    // An upload that is never committed.
    const abandoned = randomBytes(1000);
    expect((await a.putBlock(sha256(abandoned), abandoned)).status).toBe(201);

    // Day 80: a version that will still be within retention on day 91.
    clock.advanceDays(80);
    const recentOld = randomBytes(1800);
    const recentNew = randomBytes(1700);
    const recent = await write(a, '/recent.bin', recentOld);
    await write(a, '/recent.bin', recentNew, recent.id);

    // Day 91: a block uploaded just now for a commit that has not happened yet.
    clock.advanceDays(11);
    const pending = randomBytes(900);
    expect((await a.putBlock(sha256(pending), pending)).status).toBe(201);

    const before = await stored();
    const blocksOf = (data: Buffer) => hashBuffer(data).blocks;
    for (const h of [...blocksOf(shared), ...blocksOf(trashed), ...blocksOf(oldVersion), sha256(abandoned), sha256(pending)]) {
      expect(before.has(h)).toBe(true);
    }

    const purge = await admin.client.call('post', '/v1/admin/jobs/purge');
    expect(purge.status).toBe(200);
    expect(purge.body.ran).toBe(true);
    // A's trashed file and B's trashed file lose their content; A's version from day 0 is past retention.
    expect(purge.body.report?.purgedNodes).toBe(2);
    expect(purge.body.report?.purgedRevisions).toBeGreaterThanOrEqual(3);

    const gc = await admin.client.call('post', '/v1/admin/jobs/gc');
    expect(gc.status).toBe(200);
    expect(gc.body.ran).toBe(true);
    const after = await stored();

    // Gone: trashed content, the old version, B's own block, the abandoned upload.
    for (const h of [...blocksOf(trashed), ...blocksOf(oldVersion), ...blocksOf(onlyB), sha256(abandoned)]) {
      expect(after.has(h), `${h} should have been swept`).toBe(false);
    }
    // Kept: blocks of a live file (also used by B's purged file), current and retained versions, the pending upload.
    for (const h of [...blocksOf(shared), ...blocksOf(newVersion), ...blocksOf(recentOld), ...blocksOf(recentNew), sha256(pending)]) {
      expect(after.has(h), `${h} should have survived`).toBe(true);
    }
    // And nobody is left holding a swept block (a commit would trust the possession record).
    const swept = new Set([...blocksOf(trashed), ...blocksOf(oldVersion), ...blocksOf(onlyB), sha256(abandoned)]);
    const stillHeld: string[] = [];
    for await (const h of t.app.get(BlocksRepository).allHeld()) if (swept.has(h.hash)) stillHeld.push(h._id);
    expect(stillHeld).toEqual([]);
    expect(gc.body.report?.sweptBlocks).toBe(blocksOf(trashed).length + blocksOf(oldVersion).length + blocksOf(onlyB).length + 1);

    // Every live file still downloads byte-identical, and the retained old version too.
    expect((await a.download({ id: live.id })).body.equals(shared)).toBe(true);
    expect((await a.download({ id: versioned.id })).body.equals(newVersion)).toBe(true);
    const recentRevs = await a.get('/v1/files/revisions', { id: recent.id });
    expect(recentRevs.body).toHaveLength(2);
    const older = recentRevs.body.find((r) => !r.current)!;
    expect((await a.download({ id: recent.id, revision: older.revision })).body.equals(recentOld)).toBe(true);
    expect(await a.get('/v1/files/revisions', { id: versioned.id }).then((r) => r.body.length)).toBe(1);

    // The pending upload can still be committed without uploading again.
    await a.latest();
    const committed = await a.commit({ path: '/pending.bin', blocks: [sha256(pending)], size: pending.length });
    expect(committed.status).toBe(201);

    // Restoring purged content is refused; the tombstone stays visible.
    await a.latest();
    const restore = await a.restore({ id: gone.id });
    expect(restore.status).toBe(410);
    expect(restore.error.code).toBe('PURGED');
    expect((await a.get('/v1/files/metadata', { id: gone.id })).body.deleted).toBe(true);

    // A second run finds nothing more to do.
    expect((await admin.client.call('post', '/v1/admin/jobs/purge')).body.report?.purgedNodes).toBe(0);
    expect((await admin.client.call('post', '/v1/admin/jobs/gc')).body.report?.sweptBlocks).toBe(0);
  });

  it('lets a device save a block garbage collection has marked, by uploading it again', async () => {
    const a = (await newDevice(t.api)).device;
    const bytes = randomBytes(1200);
    clock.setOffset(-2 * 86_400_000); // uploaded two days ago: past the grace period, a candidate
    expect((await a.putBlock(sha256(bytes), bytes)).status).toBe(201);
    clock.setOffset(0);
    // A second server process on the same database, whose collector waits 5 s between mark and sweep.
    const slow = new ServerProcess({ ...env, GC_FENCE_SECONDS: '5' });
    await slow.start();
    try {
      const running = Device.of(slow.api, adminSession, 'admin').client.call('post', '/v1/admin/jobs/gc');
      // While it waits, the block reads as missing for commits and checks …
      await expect
        .poll(() => a.check([sha256(bytes)]), { timeout: 4000 })
        .toEqual([sha256(bytes)]);
      // … and uploading it again cancels the sweep.
      expect((await a.putBlock(sha256(bytes), bytes)).status).toBe(201);
      const gc = await running;
      expect(gc.body.report?.keptAfterRecheck).toBeGreaterThanOrEqual(1);
      expect(await blobs.head(sha256(bytes))).not.toBeNull();
      await a.latest();
      const saved = await a.commit({ path: '/saved.bin', blocks: [sha256(bytes)], size: bytes.length });
      expect(saved.status, JSON.stringify(saved.raw)).toBe(201);
      expect((await a.download({ path: '/saved.bin' })).body.equals(bytes)).toBe(true);
    } finally {
      await slow.stop();
    }
  });

  it('purges a big trashed folder in bounded journal entries, the folder last, and it stays purged', async () => {
    const { device: d, session } = await newDevice(t.api);
    await d.latest();
    const dir = (await d.mkdir({ path: '/big' })).body.entry;
    const made = await d.batch(Array.from({ length: 240 }, (_, i) => ({ type: 'createFolder' as const, parentId: dir.id, name: `f${i}` })));
    expect(made.status).toBe(200);
    await remove(d, dir.id);
    const head = await d.headSeq();
    clock.advanceDays(91);

    const nodes = collectionOf<NodeDoc>(t.app.get(getModelToken(NODE_MODEL)));
    const replaced = vi.spyOn(nodes, 'replaceOne');
    let replaces = -1;
    const purge = await admin.client.call('post', '/v1/admin/jobs/purge').finally(() => {
      replaces = replaced.mock.calls.length;
      replaced.mockRestore();
    });
    expect(purge.status).toBe(200);
    expect(replaces).toBe(0); // each purge entry was stored as one update, not node by node
    expect(purge.body.report?.purgedNodes).toBeGreaterThanOrEqual(241);
    const journal = t.app.get(JournalRepository);
    const ns = session.user.rootNamespaceId;
    const entries = (await journal.readAfter(ns, head, 1000)).filter((e) => e.kind === 'retention.purge');
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const e of entries) expect(e.changes.length).toBeLessThanOrEqual(PURGE_ENTRY_LIMIT);
    const ids = entries.flatMap((e) => e.changes.map((c) => c.id));
    expect(new Set(ids).size).toBe(241);
    expect(ids.at(-1)).toBe(dir.id);
    // The stored projection holds each purged node exactly as its purge entry states it (the
    // entry is applied as one update, TreeRepository.applyPurged, not node by node).
    for (const e of entries) {
      const docs = new Map((await nodes.find({ _id: { $in: e.changes.map((c) => `${ns}/${c.id}`) } }).toArray()).map((doc) => [doc._id, doc]));
      for (const { path: _path, ...state } of e.changes) {
        expect(state).toMatchObject({ purged: true, deleted: true, blocks: [] });
        expect(docs.get(`${ns}/${state.id}`)).toEqual({ ...state, _id: `${ns}/${state.id}`, ns, nameKey: `~${ns}/${state.id}`, projSeq: e.seq });
      }
    }
    const restored = await d.restore({ id: dir.id });
    expect(restored.status, JSON.stringify(restored.raw)).toBe(410);
    expect(restored.error.code).toBe('PURGED');
  });

  it('runs a job once when two are asked for at the same time', async () => {
    const [x, y] = await Promise.all([
      admin.client.call('post', '/v1/admin/jobs/gc'),
      admin.client.call('post', '/v1/admin/jobs/gc'),
    ]);
    expect([x.status, y.status], JSON.stringify([x.raw, y.raw])).toEqual([200, 200]);
    expect([x.body.ran, y.body.ran].sort()).toEqual([false, true]);
  });
});
