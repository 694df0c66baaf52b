import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { WriteResult } from '../../client/src/sdk/types.js';
import { type Account, Device, newDevice } from '../support/device.js';

/** A cursor as the server encodes it (tests only: clients treat cursors as opaque). */
const craftCursor = (ns: string, seq: number, skip = 0) => Buffer.from(`1.${ns}.${seq}.${skip}`, 'utf8').toString('base64url');

const ENTRY_KEYS = ['contentHash', 'deleted', 'id', 'kind', 'mtime', 'name', 'parentId', 'path', 'rev', 'seq', 'size'];

describe('delta reads (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig('sync_delta'));
  });
  afterAll(() => t?.close());

  describe('a history of many operations', () => {
    let d: Device;
    let account: Account;
    /** Every write: its seq and the id of the node it acted on, in order. */
    const writes: { seq: number; id: string }[] = [];
    let full: any[];
    let ids: Record<string, string>;
    let deleteSeq: number;

    const w = async (write: Promise<ApiReply<WriteResult>>) => {
      const res = await write;
      expect(res.status, JSON.stringify(res.raw)).toBe(201);
      writes.push({ seq: res.body.seq!, id: res.body.entry.id });
      return res.body.entry;
    };

    beforeAll(async () => {
      ({ session: account, device: d } = await newDevice(t.api));
      const A = await w(d.mkdir({ path: '/A' }));
      const B = await w(d.mkdir({ parentId: A.id, name: 'B' }));
      const b1 = await d.upload(Buffer.from('one'));
      const f1 = await w(d.commit({ path: '/A/B/f1.txt', blocks: b1, size: 3 }));
      const f2 = await d.putFile({ path: '/A/f2.txt' }, Buffer.from('two'));
      expect(f2.status).toBe(201);
      writes.push({ seq: f2.body.seq!, id: f2.body.entry.id });
      const g = await d.putFile({ path: '/g.txt' }, Buffer.from('three'));
      writes.push({ seq: g.body.seq!, id: g.body.entry.id });
      await w(d.move({ id: g.body.entry.id, parentId: A.id }));
      await w(d.move({ id: f2.body.entry.id, name: 'f2-renamed.txt' }));
      const del = await w(d.remove({ id: A.id }));
      deleteSeq = del.rev;
      await w(d.restore({ id: A.id }));
      await w(d.mkdir({ path: '/Z' }));
      ids = { A: A.id, B: B.id, f1: f1.id, f2: f2.body.entry.id, g: g.body.entry.id };
      const all = await d.readDelta(undefined, 10_000);
      expect(all.pages).toBe(1);
      full = all.entries;
    });

    it('numbers the writes 1, 2, 3, … with no gap', () => {
      expect(writes.map((x) => x.seq)).toEqual(writes.map((_, i) => i + 1));
    });

    it('lists every change once, in journal order, with the entry shape', async () => {
      // Ten writes; the delete and the restore each change the whole subtree (A, B, f1, f2, g).
      expect(full).toHaveLength(8 + 5 + 5);
      const seqs = full.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs)).toEqual(new Set(writes.map((x) => x.seq)));
      const keys = full.map((e) => `${e.seq}:${e.id}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const x of writes) {
        // The node a write acted on comes first among that write's changes.
        expect(full.find((e) => e.seq === x.seq).id).toBe(x.id);
      }
      for (const e of full) expect(Object.keys(e).sort()).toEqual(ENTRY_KEYS);
      expect(await d.headSeq()).toBe(writes.length);
    });

    it('lists a folder delete as the folder and its whole subtree, deleted', () => {
      const changes = full.filter((e) => e.seq === deleteSeq);
      expect(changes[0].id).toBe(ids.A);
      expect(new Set(changes.map((e) => e.id))).toEqual(new Set([ids.A, ids.B, ids.f1, ids.f2, ids.g]));
      for (const e of changes) {
        expect(e.deleted).toBe(true);
        expect(e.path.startsWith('/A')).toBe(true);
        expect(e.rev).toBe(deleteSeq);
      }
      expect(changes.find((e) => e.id === ids.f1).path).toBe('/A/B/f1.txt');
      expect(changes.find((e) => e.id === ids.g).path).toBe('/A/g.txt');
      expect(changes.find((e) => e.id === ids.f2).path).toBe('/A/f2-renamed.txt');
      // And the restore brings the same five back.
      const restored = full.filter((e) => e.seq === deleteSeq + 1);
      expect(new Set(restored.map((e) => e.id))).toEqual(new Set([ids.A, ids.B, ids.f1, ids.f2, ids.g]));
      expect(restored.every((e) => !e.deleted)).toBe(true);
    });

    it.each([1, 2, 3])('gives the same changes in pages of %i, hasMore on all but the last', async (limit) => {
      const paged: any[] = [];
      let cursor: string | undefined;
      let pages = 0;
      for (;;) {
        const res = await d.deltaPage(cursor, limit);
        expect(res.status).toBe(200);
        pages++;
        expect(res.body.entries.length).toBeLessThanOrEqual(limit);
        paged.push(...res.body.entries);
        cursor = res.body.cursor;
        if (!res.body.hasMore) break;
        expect(res.body.entries.length).toBe(limit);
        expect(pages).toBeLessThan(100);
      }
      expect(paged).toEqual(full);
      expect(pages).toBe(Math.ceil(full.length / limit));
      // The last cursor is at the head: nothing more to read.
      const after = await d.deltaPage(cursor, limit);
      expect(after.body).toMatchObject({ entries: [], hasMore: false });
    });

    it('resumes from any page cursor, also one in the middle of a split entry', async () => {
      // Collect every cursor of a limit=1 walk, then read on from each with a big page.
      const cursors: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < full.length; i++) {
        const res = await d.deltaPage(cursor, 1);
        cursor = res.body.cursor;
        cursors.push(cursor);
      }
      for (let i = 0; i < cursors.length; i++) {
        const rest = await d.readDelta(cursors[i], 10_000);
        expect(rest.entries).toEqual(full.slice(i + 1));
      }
    });

    it('starts a reader at /v1/delta/latest with nothing to read, and then sees only what follows', async () => {
      const latest = await d.get('/v1/delta/latest');
      expect(latest.status).toBe(200);
      expect(latest.body.seq).toBe(writes.length);
      const empty = await d.deltaPage(latest.body.cursor);
      expect(empty.status).toBe(200);
      expect(empty.body).toMatchObject({ entries: [], hasMore: false });

      await d.latest();
      const c = await w(d.mkdir({ path: '/after-latest' }));
      const next = await d.readDelta(latest.body.cursor);
      expect(next.entries.map((e) => [e.seq, e.id, e.path])).toEqual([[writes.length, c.id, '/after-latest']]);
      const head = await d.get('/v1/delta/latest');
      expect(head.body.seq).toBe(writes.length);
      expect(head.body.cursor).toBe(next.cursor);
    });

    it('keeps another user out: their cursor is reset and their delta shows none of this', async () => {
      const other = await newDevice(t.api);
      const mine = await other.device.readDelta();
      expect(mine.entries).toEqual([]);
      const res = await other.device.deltaPage((await d.get('/v1/delta/latest')).body.cursor);
      expect(res.status).toBe(409);
      expect(res.error.code).toBe('CURSOR_RESET');
      // Even a cursor naming the other namespace explicitly.
      const crafted = await other.device.deltaPage(craftCursor(account.user.id, 1));
      expect(crafted.status).toBe(409);
      expect(crafted.error.code).toBe('CURSOR_RESET');
    });

    it.each([
      ['garbage', () => 'garbage'],
      ['non-base64 characters', () => '!!!***'],
      ['a cursor of an unknown version', () => Buffer.from('2.x.1.0').toString('base64url')],
      ['a cursor ahead of the journal', () => craftCursor(account.user.id, 10_000)],
      ['a split position past the head', () => craftCursor(account.user.id, writes.length, 1)],
      ['an over-long cursor', () => 'A'.repeat(200)],
    ])('resets %s with 409 CURSOR_RESET', async (_name, cursor) => {
      const res = await d.deltaPage(cursor());
      expect(res.status).toBe(409);
      expect(res.error.code).toBe('CURSOR_RESET');
    });

    it.each([['0'], ['1000000000'], ['10001'], ['-1'], ['1.5'], ['abc']])('refuses limit=%s with 400 VALIDATION_FAILED', async (limit) => {
      // Not a number the SDK's types would let through: sent raw.
      const res = await d.sendRaw('GET', `/v1/delta?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields.map((f: any) => f.field)).toEqual(['limit']);
    });

    it('refuses unknown query parameters', async () => {
      const res = await d.sendRaw('GET', '/v1/delta?since=1');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });
  });

  it('gives a new account an empty journal at seq 0', async () => {
    const { device } = await newDevice(t.api);
    const latest = await device.get('/v1/delta/latest');
    expect(latest.body.seq).toBe(0);
    const page = await device.deltaPage(undefined);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ entries: [], hasMore: false });
    expect(page.body.cursor).toBe(latest.body.cursor);
  });

  it('splits an entry bigger than a page across pages (a folder of 30 files deleted at once)', async () => {
    const { device: d } = await newDevice(t.api);
    const folder = await d.mkdir({ path: '/big' });
    const content = randomBytes(10);
    const blocks = await d.upload(content);
    for (let i = 0; i < 30; i++) {
      const c = await d.commit({ parentId: folder.body.entry.id, name: `f${i}`, blocks, size: 10 });
      expect(c.status).toBe(201);
    }
    const before = await d.latest();
    const del = await d.remove({ id: folder.body.entry.id });
    expect(del.status).toBe(201);
    const paged = await d.readDelta(before, 7);
    expect(paged.pages).toBe(5);
    expect(paged.entries).toHaveLength(31);
    expect(paged.entries.every((e) => e.seq === del.body.seq && e.deleted)).toBe(true);
    expect(new Set(paged.entries.map((e) => e.id)).size).toBe(31);
    expect(paged.entries).toEqual((await d.readDelta(before)).entries);
  });
});
