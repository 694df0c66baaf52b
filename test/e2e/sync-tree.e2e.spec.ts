import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { Entry, ListPage, WriteResult } from '../../client/src/sdk/types.js';
import { type Account, Device, newDevice, written } from '../support/device.js';

const NFC = 'Caf\u00e9';
const NFD = 'Cafe\u0301';

describe('the tree: folders, moves, names, listing (e2e)', () => {
  let t: TestApp;
  let d: Device;
  let account: Account;

  beforeAll(async () => {
    t = await startTestApp(testConfig('sync_tree'));
  });
  afterAll(() => t?.close());
  // A fresh namespace per test: names never leak between cases.
  beforeEach(async () => {
    ({ session: account, device: d } = await newDevice(t.api));
  });

  const ok = async (p: Promise<ApiReply<WriteResult>>) => (await written(p)).entry;
  const file = (path: string, text = 'x') => ok(d.putFile({ path }, Buffer.from(text)));
  /** The metadata answer of a node: its entry as `.body`, or `.error`. */
  const meta = (ref: { id: string } | { path: string }) => d.get('/v1/files/metadata', ref);

  describe('creating folders', () => {
    it('creates by path and by parentId + name, at the root and nested', async () => {
      const a = await ok(d.mkdir({ path: '/A' }));
      expect(a).toMatchObject({ name: 'A', path: '/A', kind: 'folder', parentId: account.user.id, size: 0, contentHash: null, deleted: false });
      const b = await ok(d.mkdir({ parentId: a.id, name: 'B' }));
      expect(b).toMatchObject({ name: 'B', path: '/A/B', parentId: a.id });
      const c = await ok(d.mkdir({ path: '/A/B/C' }));
      expect(c).toMatchObject({ path: '/A/B/C', parentId: b.id });
      const r = await ok(d.mkdir({ name: 'AtRoot' }));
      expect(r).toMatchObject({ path: '/AtRoot', parentId: account.user.id });
      expect((await meta({ path: '/A/B/C' })).body).toMatchObject({ id: c.id, path: '/A/B/C' });
    });

    it('refuses a path whose parent does not exist (no implicit mkdir -p)', async () => {
      const res = await d.mkdir({ path: '/nope/child' });
      expect(res.status).toBe(404);
      expect(res.error.code).toBe('PARENT_NOT_FOUND');
    });

    it('refuses a parentId that is a file with 400 NOT_A_FOLDER', async () => {
      const f = await file('/f.txt');
      const res = await d.mkdir({ parentId: f.id, name: 'x' });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('NOT_A_FOLDER');
      const byPath = await d.mkdir({ path: '/f.txt/x' });
      expect(byPath.status).toBe(400);
      expect(byPath.error.code).toBe('NOT_A_FOLDER');
    });

    it('refuses the root as a path', async () => {
      const res = await d.mkdir({ path: '/' });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('INVALID_PATH');
    });
  });

  describe('client-minted ids', () => {
    it('accepts a UUIDv7 minted by the device, and a repeated create at the same place is an idempotent success', async () => {
      const id = uuidv7();
      const first = await d.mkdir({ path: '/Offline', id });
      expect(first.status).toBe(201);
      expect(first.body.entry.id).toBe(id);
      expect(first.body.seq).toBeGreaterThan(0);
      const head = await d.headSeq();

      const again = await d.mkdir({ path: '/Offline', id });
      expect([200, 201]).toContain(again.status);
      expect(again.body.seq).toBeNull();
      expect(again.body.entry).toMatchObject({ id, path: '/Offline', rev: first.body.seq });
      // By parentId + name, the same place too.
      const viaParent = await d.mkdir({ name: 'Offline', id });
      expect(viaParent.body.seq).toBeNull();
      expect(await d.headSeq()).toBe(head);
    });

    it('accepts a minted id for a file, and the same commit again changes nothing', async () => {
      const id = uuidv7();
      const c = await d.putFile({ path: '/minted.txt' }, Buffer.from('hello'), { id });
      expect(c.status).toBe(201);
      expect(c.body.entry.id).toBe(id);
      const head = await d.headSeq();
      const again = await d.putFile({ path: '/minted.txt' }, Buffer.from('hello'), { id });
      expect(again.body.seq).toBeNull();
      expect(await d.headSeq()).toBe(head);
    });

    it('refuses the same id at another place, or for another kind, with 409 ID_TAKEN', async () => {
      const id = uuidv7();
      await ok(d.mkdir({ path: '/Here', id }));
      const elsewhere = await d.mkdir({ path: '/There', id });
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.error.code).toBe('ID_TAKEN');
      const nested = await d.mkdir({ path: '/Here/Here', id });
      expect(nested.status).toBe(409);
      expect(nested.error.code).toBe('ID_TAKEN');
      expect((await meta({ path: '/There' })).error.code).toBe('PATH_NOT_FOUND');
    });

    it("refuses a commit with a folder's id (a new version of a folder) with 400 NOT_A_FILE", async () => {
      const id = uuidv7();
      await ok(d.mkdir({ path: '/Folder', id }));
      const res = await d.putFile({ path: '/Folder' }, Buffer.from('x'), { id });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('NOT_A_FILE');
    });
  });

  describe('moves and renames', () => {
    it('moves and renames across folders; the subtree follows', async () => {
      const x = await ok(d.mkdir({ path: '/X' }));
      const y = await ok(d.mkdir({ path: '/Y' }));
      const sub = await ok(d.mkdir({ path: '/X/Sub' }));
      const f = await file('/X/Sub/doc.txt', 'content');
      const mv = await d.move({ id: sub.id, parentId: y.id, name: 'Moved' });
      expect(mv.status).toBe(201);
      expect(mv.body.entry).toMatchObject({ id: sub.id, parentId: y.id, name: 'Moved', path: '/Y/Moved' });
      expect((await meta({ id: f.id })).body).toMatchObject({ path: '/Y/Moved/doc.txt', parentId: sub.id });
      expect((await meta({ path: '/Y/Moved/doc.txt' })).body).toMatchObject({ id: f.id });
      expect((await meta({ path: '/X/Sub' })).error.code).toBe('PATH_NOT_FOUND');
      expect((await d.listAll({ id: x.id })).map((e) => e.name)).toEqual([]);
      // The content did not move anywhere.
      expect((await d.download({ path: '/Y/Moved/doc.txt' })).body.toString()).toBe('content');
      // A rename alone keeps the parent.
      const rn = await d.move({ id: f.id, name: 'renamed.txt' });
      expect(rn.body.entry).toMatchObject({ parentId: sub.id, path: '/Y/Moved/renamed.txt' });
      // A move to where it already is changes nothing.
      const same = await d.move({ id: f.id, name: 'renamed.txt' });
      expect(same.body.seq).toBeNull();
    });

    it('allows a case-only rename (a node never collides with itself)', async () => {
      const f = await file('/a.txt');
      const res = await d.move({ id: f.id, name: 'A.txt' });
      expect(res.status).toBe(201);
      expect(res.body.entry).toMatchObject({ name: 'A.txt', path: '/A.txt' });
      expect((await d.listAll({ path: '/' })).map((e) => e.name)).toEqual(['A.txt']);
    });

    it('refuses a move into the folder itself or its own subtree with 400 MOVE_INTO_ITSELF', async () => {
      const top = await ok(d.mkdir({ path: '/Top' }));
      const mid = await ok(d.mkdir({ path: '/Top/Mid' }));
      const low = await ok(d.mkdir({ path: '/Top/Mid/Low' }));
      for (const target of [top.id, mid.id, low.id]) {
        const res = await d.move({ id: top.id, parentId: target });
        expect(res.status).toBe(400);
        expect(res.error.code).toBe('MOVE_INTO_ITSELF');
      }
      expect((await meta({ id: top.id })).body).toMatchObject({ path: '/Top' });
    });

    it('refuses a move into a file with 400 NOT_A_FOLDER', async () => {
      const f = await file('/target.txt');
      const g = await file('/g.txt');
      const res = await d.move({ id: g.id, parentId: f.id });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('NOT_A_FOLDER');
    });

    it('refuses to move, rename or delete the root with 400 ROOT_IMMUTABLE', async () => {
      const f = await ok(d.mkdir({ path: '/F' }));
      for (const attempt of [
        () => d.move({ id: account.user.id, parentId: f.id }),
        () => d.move({ id: account.user.id, name: 'root' }),
        () => d.remove({ id: account.user.id }),
      ]) {
        const res = await attempt();
        expect(res.status).toBe(400);
        expect(res.error.code).toBe('ROOT_IMMUTABLE');
      }
    });
  });

  describe('name collisions (NFC + case folding)', () => {
    it('stores names in NFC', async () => {
      const f = await ok(d.mkdir({ path: `/${NFD}` }));
      expect(f.name).toBe(NFC);
      expect((await meta({ path: `/${NFC}` })).body).toMatchObject({ id: f.id, name: NFC });
      expect((await meta({ path: `/${NFD}` })).body).toMatchObject({ id: f.id });
    });

    it.each([
      ['NFC vs NFD', NFC, NFD],
      ['case', 'A.txt', 'a.txt'],
      ['case and NFD', 'CAFÉ', NFD],
      ['ß folded as ss', 'Straße', 'STRASSE'],
    ])('with autorename:false, refuses a second name equal under %s with 409 NAME_TAKEN and details.current', async (_name, first, second) => {
      const a = await ok(d.mkdir({ name: first }));
      const head = await d.headSeq();
      for (const attempt of [
        () => d.mkdir({ name: second, autorename: false }),
        () => d.putFile({ name: second, parentId: account.user.id }, Buffer.from('x'), { autorename: false }),
      ]) {
        const res = await attempt();
        expect(res.status, JSON.stringify(res.raw)).toBe(409);
        expect(res.error.code).toBe('NAME_TAKEN');
        expect(res.error.details?.current).toMatchObject({ id: a.id, name: first.normalize('NFC'), kind: 'folder' });
      }
      expect(await d.headSeq()).toBe(head);
      // Renaming another node onto the name collides as well.
      const b = await ok(d.mkdir({ name: 'other' }));
      const mv = await d.move({ id: b.id, name: second, autorename: false });
      expect(mv.status).toBe(409);
      expect(mv.error.code).toBe('NAME_TAKEN');
      expect(mv.error.details?.current).toMatchObject({ id: a.id });
      expect((await meta({ id: b.id })).body).toMatchObject({ name: 'other' });
    });

    it.each([
      ['NFC vs NFD', NFC, NFD, `${NFC} (conflicted copy test phone)`],
      ['case', 'A.txt', 'a.txt', 'a (conflicted copy test phone).txt'],
      ['case and NFD', 'CAFÉ', NFD, `${NFC} (conflicted copy test phone)`],
      ['ß folded as ss', 'Straße', 'STRASSE', 'STRASSE (conflicted copy test phone)'],
    ])('by default, renames a second name equal under %s (rule 10) and records NAME_COLLISION', async (_name, first, second, renamed) => {
      const a = await ok(d.mkdir({ name: first }));
      const res = await d.mkdir({ name: second });
      expect(res.status, JSON.stringify(res.raw)).toBe(201);
      expect(res.body.entry).toMatchObject({ name: renamed, path: `/${renamed}`, kind: 'folder' });
      expect(res.body.conflicts).toEqual([{ id: expect.any(String), kind: 'NAME_COLLISION' }]);
      const record = (await d.get('/v1/conflicts')).body.conflicts.find((c) => c.id === res.body.conflicts[0]!.id);
      expect(record).toMatchObject({ kind: 'NAME_COLLISION', nodeIds: [res.body.entry.id, a.id], opKind: 'folder.create' });
      // A file onto the name gets the next free copy name; a rename onto it is renamed too.
      const f = await d.putFile({ name: second, parentId: account.user.id }, Buffer.from('x'));
      expect(f.status, JSON.stringify(f.raw)).toBe(201);
      expect(f.body.entry.name).not.toBe(renamed);
      expect(f.body.entry.name).toMatch(/ \(conflicted copy test phone 2\)/);
      expect(f.body.conflicts.map((c) => c.kind)).toEqual(['NAME_COLLISION']);
      const b = await ok(d.mkdir({ name: 'other' }));
      const mv = await d.move({ id: b.id, name: second });
      expect(mv.status).toBe(201);
      expect(mv.body.entry.name).toMatch(/ \(conflicted copy test phone 3\)/);
      expect(mv.body.conflicts.map((c) => c.kind)).toEqual(['NAME_COLLISION']);
      expect((await meta({ id: a.id })).body).toMatchObject({ name: first.normalize('NFC'), deleted: false });
      const names = (await d.listAll({ path: '/' })).map((e) => e.name);
      expect(names).toHaveLength(4);
      expect(new Set(names.map((n) => n.normalize('NFC').toUpperCase().toLowerCase())).size).toBe(4);
    });

    it('makes a file and a folder with the same name collide, both ways (autorename:false: 409 NAME_TAKEN)', async () => {
      const folder = await ok(d.mkdir({ path: '/thing' }));
      const f = await d.putFile({ path: '/Thing' }, Buffer.from('x'), { autorename: false });
      expect(f.status).toBe(409);
      expect(f.error.code).toBe('NAME_TAKEN');
      expect(f.error.details?.current).toMatchObject({ id: folder.id, kind: 'folder' });

      const file2 = await file('/stuff.txt');
      const m = await d.mkdir({ path: '/STUFF.TXT', autorename: false });
      expect(m.status).toBe(409);
      expect(m.error.code).toBe('NAME_TAKEN');
      expect(m.error.details?.current).toMatchObject({ id: file2.id, kind: 'file' });
    });

    it('makes a file and a folder with the same name collide, both ways (default: renamed, NAME_COLLISION)', async () => {
      const folder = await ok(d.mkdir({ path: '/thing' }));
      const f = await d.putFile({ path: '/Thing' }, Buffer.from('x'));
      expect(f.status).toBe(201);
      expect(f.body.entry).toMatchObject({ kind: 'file', name: 'Thing (conflicted copy test phone)' });
      expect(f.body.conflicts.map((c) => c.kind)).toEqual(['NAME_COLLISION']);
      expect((await meta({ id: folder.id })).body).toMatchObject({ name: 'thing', kind: 'folder' });

      await file('/stuff.txt');
      const m = await d.mkdir({ path: '/STUFF.TXT' });
      expect(m.status).toBe(201);
      expect(m.body.entry).toMatchObject({ kind: 'folder', name: 'STUFF (conflicted copy test phone).TXT' });
      expect(m.body.conflicts.map((c: any) => c.kind)).toEqual(['NAME_COLLISION']);
    });

    it('frees a name once its node is deleted, and the same name in another folder never collides', async () => {
      const a = await ok(d.mkdir({ path: '/dup' }));
      await ok(d.mkdir({ path: '/other' }));
      await ok(d.mkdir({ path: '/other/dup' }));
      expect((await d.remove({ id: a.id })).status).toBe(201);
      await ok(d.mkdir({ path: '/DUP' }));
    });
  });

  describe('metadata', () => {
    it('finds a node by id and by path, also a deleted one by id', async () => {
      await ok(d.mkdir({ path: '/M' }));
      const f = await file('/M/file.bin', 'abc');
      const byId = await d.get('/v1/files/metadata', { id: f.id });
      const byPath = await d.get('/v1/files/metadata', { path: '/M/file.bin' });
      expect(byId.status).toBe(200);
      expect(byPath.body).toEqual(byId.body);
      expect(byId.body).toMatchObject({ id: f.id, name: 'file.bin', path: '/M/file.bin', kind: 'file', size: 3, deleted: false });
      expect((await d.remove({ id: f.id })).status).toBe(201);
      expect((await meta({ id: f.id })).body).toMatchObject({ id: f.id, deleted: true, path: '/M/file.bin' });
      const gone = await d.get('/v1/files/metadata', { path: '/M/file.bin' });
      expect(gone.status).toBe(404);
      expect(gone.error.code).toBe('PATH_NOT_FOUND');
    });

    it('answers the root by path', async () => {
      const root = await d.get('/v1/files/metadata', { path: '/' });
      expect(root.status).toBe(200);
      expect(root.body).toMatchObject({ id: account.user.id, kind: 'folder', path: '/' });
    });

    it('wants exactly one of id and path', async () => {
      const f = await file('/one.txt');
      for (const q of [{}, { id: f.id, path: '/one.txt' }]) {
        const res = await d.get('/v1/files/metadata', q);
        expect(res.status).toBe(400);
        expect(res.error.code).toBe('INVALID_PATH');
      }
    });
  });

  describe('listing', () => {
    it('lists a folder in name order, in pages of one, equal to the one-page listing', async () => {
      for (const n of ['b', 'C', 'a', 'd', NFD]) await ok(d.mkdir({ path: `/${n}` }));
      await file('/e.txt');
      const all = await d.get('/v1/files/list', { path: '/' });
      expect(all.status).toBe(200);
      expect(all.body.hasMore).toBe(false);
      expect(all.body.cursor).toBeNull();
      expect(all.body.entries.map((e) => e.name)).toEqual(['a', 'b', 'C', NFC, 'd', 'e.txt']);

      const paged: Entry[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const res: ApiReply<ListPage> = await d.get('/v1/files/list', { path: '/', limit: 1, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        expect(res.body.entries.length).toBeLessThanOrEqual(1);
        paged.push(...res.body.entries);
        if (!res.body.hasMore) break;
        cursor = res.body.cursor;
        expect(cursor).toEqual(expect.any(String));
      }
      expect(paged).toEqual(all.body.entries);
    });

    it('lists recursively, parents before children, the same in pages of one', async () => {
      await ok(d.mkdir({ path: '/p' }));
      await ok(d.mkdir({ path: '/p/q' }));
      await file('/p/q/deep.txt');
      await file('/p/a.txt');
      await file('/p/z.txt');
      await ok(d.mkdir({ path: '/r' }));
      await file('/r/x.txt');
      await file('/top.txt');
      const all = await d.listAll({ path: '/' }, { recursive: true });
      expect(all.map((e) => e.path)).toEqual(['/p', '/p/a.txt', '/p/q', '/p/q/deep.txt', '/p/z.txt', '/r', '/r/x.txt', '/top.txt']);
      const index = new Map(all.map((e, i) => [e.id, i]));
      for (const e of all) if (index.has(e.parentId)) expect(index.get(e.parentId)!).toBeLessThan(index.get(e.id)!);
      expect(await d.listAll({ path: '/' }, { recursive: true, limit: 1 })).toEqual(all);
      expect(await d.listAll({ path: '/' }, { recursive: true, limit: 3 })).toEqual(all);
      // A sub-folder by id, not recursive.
      const p = (await meta({ path: '/p' })).body;
      expect((await d.listAll({ id: p.id })).map((e) => e.name)).toEqual(['a.txt', 'q', 'z.txt']);
    });

    it('leaves deleted nodes out of listings', async () => {
      const f = await file('/gone.txt');
      await file('/kept.txt');
      expect((await d.remove({ id: f.id })).status).toBe(201);
      expect((await d.listAll({ path: '/' })).map((e) => e.name)).toEqual(['kept.txt']);
    });

    it('refuses to list a file (400 NOT_A_FOLDER) or a deleted folder (404)', async () => {
      const f = await file('/plain.txt');
      const res = await d.get('/v1/files/list', { id: f.id });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('NOT_A_FOLDER');
      const folder = await ok(d.mkdir({ path: '/dead' }));
      expect((await d.remove({ id: folder.id })).status).toBe(201);
      const dead = await d.get('/v1/files/list', { id: folder.id });
      expect(dead.status).toBe(404);
      expect(dead.error.code).toBe('NODE_NOT_FOUND');
    });

    it('refuses a forged list cursor with 400 INVALID_PAGE_CURSOR', async () => {
      const res = await d.get('/v1/files/list', { path: '/', cursor: 'garbage' });
      expect(res.status).toBe(400);
      expect(res.error.code).toBe('INVALID_PAGE_CURSOR');
    });

    it('refuses limit=0 and limit=2001 with 400 VALIDATION_FAILED', async () => {
      for (const limit of [0, 2001]) {
        const res = await d.get('/v1/files/list', { path: '/', limit });
        expect(res.status).toBe(400);
        expect(res.error.code).toBe('VALIDATION_FAILED');
      }
    });
  });
});
