import { getModelToken } from '@nestjs/mongoose';
import { Binary, BSON, MongoClient, ObjectId, type Collection, type Db, type Document, type Filter } from 'mongodb';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DatabaseTarget } from '../../src/infra/database/database.module.js';
import { detectFlavor } from '../../src/infra/database/flavor.js';
import { StartupError } from '../../src/infra/process/startup-error.js';
import { collectionOf } from '../../src/infra/database/collections.js';
import { entryId, JournalRepository } from '../../src/modules/journal/journal.repository.js';
import type { JournalEntry } from '../../src/modules/journal/journal.types.js';
import { CHUNK_MAX_CHANGES, chunkDocEntries, chunkId, type JournalChunkDoc } from '../../src/modules/journal/journal-chunks.js';
import {
  JOURNAL_CHUNK_MODEL,
  JOURNAL_ENTRY_MODEL,
  JOURNAL_HEAD_MODEL,
  JOURNAL_PAGE_MODEL,
  type JournalEntryDoc,
  type JournalHeadDoc,
  type JournalPageDoc,
} from '../../src/modules/journal/schemas/journal-entry.schema.js';
import { freshNode } from '../../src/domain/node.js';
import { uuidv7 } from '../../src/shared/ids.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig, uniqueDbName } from '../support/test-env.js';

type Thing = { _id: string | ObjectId; v: number };

function entry(ns: string, seq: number, changes = 1): JournalEntry {
  const nodes = Array.from({ length: changes }, (_, i) => freshNode(uuidv7(), ns, `d${seq}-${i}`, 'folder', seq, null));
  return {
    ns,
    seq,
    at: new Date(),
    userId: ns,
    deviceId: null,
    kind: 'folder.create',
    opKey: null,
    opHash: null,
    usage: 0,
    changes: nodes.map((node) => ({ ...node, path: `/${node.name}` })),
  };
}

describe('the database flavor', () => {
  it('recognises FerretDB behind a plain MONGODB_URI', async () => {
    expect(await detectFlavor(inject('mongoUri'))).toBe('ferretdb');
  });

  it('stops with an error naming MONGODB_URI, without the password, when nothing answers', async () => {
    const err = await detectFlavor('mongodb://admin:s3cret@127.0.0.1:1/', 500).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(/MONGODB_URI \(mongodb:\/\/admin:\*\*\*@127\.0\.0\.1:1\/\)/);
    expect((err as Error).message).not.toContain('s3cret');
  });
});

describe('the embedded FerretDB indexes _id lookups', () => {
  const client = new MongoClient(inject('mongoUri'));
  beforeAll(() => client.connect());
  afterAll(() => client.close());

  const plan = async (db: Db, filter: Document) => {
    const res = await db.command({ explain: { find: 'things', filter } });
    return JSON.stringify(res.queryPlanner);
  };
  /** A fresh collection of 50 documents `{ _id: 'k<i>', v: <i> }`, once its _id index serves. */
  const indexedThings = async (label: string) => {
    const db = client.db(uniqueDbName(label));
    await db.collection('things').insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `k${i}` as never, v: i })));
    // FerretDB's own _id index does not match its query expression: a scan until ours exists.
    // FerretDB's pooled SQLite connections pick up a new index at their next write, hence
    // the marker write in the loop (a live server writes all the time).
    const deadline = Date.now() + 10_000;
    for (let i = 0; !(await plan(db, { _id: 'k7' })).includes('USING INDEX') && Date.now() < deadline; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await db.collection('things').insertOne({ _id: `marker${i}` as never, v: -1 });
    }
    return db;
  };
  const indexed = /SEARCH \S+ USING INDEX \S+_pocketcloud_id_lookup/;

  it('a new collection gets an index its _id equality queries use', { timeout: 20_000 }, async () => {
    const db = await indexedThings('idindex');
    expect(await plan(db, { _id: 'k7' })).toMatch(indexed);
    // The index changes plans, not answers.
    expect(await db.collection('things').findOne({ _id: 'k7' as never })).toEqual({ _id: 'k7', v: 7 });
    await expect(db.collection('things').insertOne({ _id: 'k7' as never, v: 0 })).rejects.toMatchObject({ code: 11000 });
  });

  // embedded/ferretdb/_patch: FerretDB 1.24 alone pushes _id down only when it is the
  // filter's one key, so a guarded write ({ _id, projSeq: { $lt } }) read every row.
  it('narrows by _id whatever else the filter holds, and by _id $in, with the same answers', { timeout: 20_000 }, async () => {
    const db = await indexedThings('idpushdown');
    const things = db.collection<Thing>('things');
    for (const filter of [{ _id: 'k7', v: { $lt: 10 } }, { v: 3, _id: 'k3' }, { _id: { $in: ['k1', 'k2', 'nope'] }, v: { $gte: 2 } }, { _id: { $in: ['k4'] } }]) {
      expect(await plan(db, filter), JSON.stringify(filter)).toMatch(indexed);
    }
    // What the pushdown must leave to the filter: scanned, as before.
    for (const filter of [{ _id: { $in: [1, 'k3'] } }, { _id: { $gt: 'k3' } }, { _id: { $in: [] } }, { $or: [{ _id: 'k1' }] }]) {
      expect(await plan(db, filter), JSON.stringify(filter)).not.toMatch(indexed);
    }

    const ids = async (filter: Filter<Thing>) => (await things.find(filter).toArray()).map((d) => d._id).sort();
    expect(await ids({ _id: 'k7', v: { $lt: 5 } })).toEqual([]);
    expect(await ids({ _id: 'k7', v: { $lt: 10 } })).toEqual(['k7']);
    expect(await ids({ _id: { $in: ['k1', 'k2', 'nope'] }, v: { $gte: 2 } })).toEqual(['k2']);
    expect(await ids({ _id: { $in: [1 as never, 'k3'] } })).toEqual(['k3']);
    expect(await ids({ _id: { $in: [] } })).toEqual([]);
    expect(await things.countDocuments({ _id: { $in: ['k1', 'k2', 'k3'] }, v: { $ne: 2 } })).toBe(2);
    expect((await things.updateOne({ _id: 'k8', v: 999 }, { $set: { v: 0 } })).matchedCount).toBe(0);
    expect((await things.replaceOne({ _id: 'k8', v: { $lt: 9 } }, { v: 80 })).modifiedCount).toBe(1);
    expect((await things.deleteOne({ _id: 'k9', v: 0 })).deletedCount).toBe(0);
    expect((await things.deleteMany({ _id: { $in: ['k9', 'k10'] }, v: 10 })).deletedCount).toBe(1);
    expect(await ids({ _id: { $in: ['k8', 'k9', 'k10'] } })).toEqual(['k8', 'k9']);
    expect(await things.findOne({ _id: 'k8' })).toEqual({ _id: 'k8', v: 80 });

    // A string and an ObjectID of the same hex look alike to the index (FerretDB's own unique
    // _id index even refuses both); the answers tell them apart.
    const oid = new ObjectId();
    await things.insertOne({ _id: oid, v: 1 });
    expect(await ids({ _id: oid, v: 1 })).toEqual([oid]);
    expect(await ids({ _id: { $in: ['k1', oid] } })).toEqual([oid, 'k1']); // a hex sorts before 'k'
    expect(await ids({ _id: oid.toHexString(), v: 1 })).toEqual([]);
    expect(await ids({ _id: { $in: [oid.toHexString()] } })).toEqual([]);
  });

  // embedded/ferretdb/_patch: FerretDB 1.24 writes each document an update changes in a
  // transaction of its own (a purge entry's update of 100 nodes: 90 ms); the patch writes
  // them in one, after the last is computed — so a document that fails writes none.
  it('writes what an updateMany changes in one transaction, with the same counts', { timeout: 20_000 }, async () => {
    const db = await indexedThings('updatemany');
    const things = db.collection<Thing>('things');
    const res = await things.updateMany({ _id: { $in: ['k1', 'k2', 'k3', 'nope'] }, v: { $lt: 3 } }, { $set: { v: 2 } });
    expect([res.matchedCount, res.modifiedCount]).toEqual([2, 1]); // k1 changes, k2 holds 2 already
    expect((await things.find({ _id: { $in: ['k1', 'k2', 'k3'] } }).toArray()).map((d) => d.v)).toEqual([2, 2, 3]);
    await things.insertOne({ _id: 'text', v: 'seven' as never });
    await expect(things.updateMany({ _id: { $in: ['k4', 'k5', 'text'] } }, { $inc: { v: 100 } })).rejects.toThrow();
    expect((await things.find({ _id: { $in: ['k4', 'k5'] } }).toArray()).map((d) => d.v)).toEqual([4, 5]);
  });
});

/**
 * The journal reads by point lookups on FerretDB and by one range query on MongoDB. Both
 * paths must return the same entries and stop at a gap (a seq taken but not yet written),
 * so a reader never skips an entry that appears a moment later. The range path runs here
 * against FerretDB too: slower there, same answers.
 */
describe('journal reads, both paths', () => {
  let app: TestApp;
  let makeRepo: (flavor: 'ferretdb' | 'mongodb') => JournalRepository;
  let chunks: Collection<JournalChunkDoc>;
  let entries: Collection<JournalEntryDoc>;
  const repos = new Map<'ferretdb' | 'mongodb', JournalRepository>();
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

  beforeAll(async () => {
    const config = testConfig('journal-reads');
    app = await startTestApp(config);
    const model = <T>(name: string) => app.app.get<Model<T>>(getModelToken(name));
    makeRepo = (flavor) =>
      new JournalRepository(
        model<JournalEntryDoc>(JOURNAL_ENTRY_MODEL),
        model<JournalPageDoc>(JOURNAL_PAGE_MODEL),
        model<JournalHeadDoc>(JOURNAL_HEAD_MODEL),
        model<JournalChunkDoc>(JOURNAL_CHUNK_MODEL),
        new DatabaseTarget(inject('mongoUri'), config.database.dbName, flavor),
      );
    for (const flavor of ['ferretdb', 'mongodb'] as const) repos.set(flavor, makeRepo(flavor));
    chunks = collectionOf(model<JournalChunkDoc>(JOURNAL_CHUNK_MODEL));
    entries = collectionOf(model<JournalEntryDoc>(JOURNAL_ENTRY_MODEL));
  });
  afterAll(() => app.close());

  it('agree, page by page, and stop before a gap', async () => {
    const writer = repos.get('ferretdb')!;
    const ns = uuidv7();
    for (const seq of [1, 2, 3, 4, 5, 7, 8]) expect(await writer.tryAppend(entry(ns, seq))).toBe(true);
    expect(await writer.tryAppend(entry(ns, 3))).toBe(false);

    for (const [flavor, repo] of repos) {
      const seqs = async (after: number, limit: number) => (await repo.readAfter(ns, after, limit)).map((e) => e.seq);
      expect(await seqs(0, 3), flavor).toEqual([1, 2, 3]);
      expect(await seqs(3, 10), flavor).toEqual([4, 5]);
      expect(await seqs(5, 10), flavor).toEqual([]);
      expect(await seqs(6, 10), flavor).toEqual([7, 8]);
      const [first] = await repo.readAfter(ns, 0, 1);
      expect(first!.changes[0]!.name, flavor).toBe('d1-0');
    }
  });

  it('on FerretDB, a writer seals each chunk of 256 it completes, and reads through chunks equal the range reads', { timeout: 60_000 }, async () => {
    const [ferret, mongo] = [repos.get('ferretdb')!, repos.get('mongodb')!];
    const ns = uuidv7();
    const written = range(1, 1400).map((seq) => entry(ns, seq));
    for (let i = 0; i < written.length; i += 100) expect(await ferret.tryAppendMany(written.slice(i, i + 100))).toBe(100);
    const sealed = await chunks.find({ _id: { $in: [0, 1, 2, 3, 4, 5].map((c) => chunkId(ns, c)) } }).toArray();
    expect(sealed.map((c) => [c._id, chunkDocEntries(c)?.map((e) => e.seq)]).sort()).toEqual(
      [0, 1, 2, 3, 4].map((c) => [chunkId(ns, c), range(c * 256 + 1, (c + 1) * 256)]),
    );

    // Reads spanning more chunks than are looked up at once, and ending in the open one.
    for (const [after, limit] of [[0, 1400], [100, 1250], [255, 2], [256, 256], [511, 100], [1270, 200], [1400, 5]] as const) {
      const viaChunks = await ferret.readAfter(ns, after, limit);
      expect(viaChunks.map((e) => e.seq), `${after}+${limit}`).toEqual(range(after + 1, Math.min(1400, after + limit)));
      expect(viaChunks, `${after}+${limit}`).toEqual(await mongo.readAfter(ns, after, limit));
    }
    expect(await ferret.readAfter(ns, 250, 10)).toEqual(written.slice(250, 260));

    // The chunk is what answers: with entry 10's own document gone, it still gives entry 10,
    // where the range read (which never looks at chunks) stops before the hole.
    await entries.deleteOne({ _id: entryId(ns, 10) });
    expect((await ferret.readAfter(ns, 0, 20)).map((e) => e.seq)).toEqual(range(1, 20));
    expect((await mongo.readAfter(ns, 0, 20)).map((e) => e.seq)).toEqual(range(1, 9));
  });

  it('chunks are stored deflated, and a chunk an older version sealed undeflated is still read', { timeout: 60_000 }, async () => {
    const ferret = repos.get('ferretdb')!;
    const ns = uuidv7();
    expect(await ferret.tryAppendMany(range(1, 256).map((seq) => entry(ns, seq)))).toBe(256);
    const sealed = (await chunks.findOne({ _id: chunkId(ns, 0) }))!;
    const bson = BSON.serialize({ entries: chunkDocEntries(sealed) });
    expect(sealed.packed).toBeUndefined();
    expect(sealed.deflated!.length()).toBeLessThan(bson.length / 4);

    // The older format: the BSON of the entries as it is. With entry 7's own document gone,
    // only the chunk can give it.
    const legacy = uuidv7();
    expect(await repos.get('mongodb')!.tryAppendMany(range(1, 256).map((seq) => entry(legacy, seq)))).toBe(256);
    const old = await repos.get('mongodb')!.readAfter(legacy, 0, 256);
    const docs = await entries.find({ _id: { $in: range(1, 256).map((seq) => entryId(legacy, seq)) } }).sort({ seq: 1 }).toArray();
    await chunks.insertOne({ _id: chunkId(legacy, 0), packed: new Binary(BSON.serialize({ entries: docs })) });
    await entries.deleteOne({ _id: entryId(legacy, 7) });
    expect(await ferret.readAfter(legacy, 0, 256)).toEqual(old);
  });

  it('a reader seals the chunks nobody sealed (written elsewhere, or before chunks), from any start, once', { timeout: 60_000 }, async () => {
    const ns = uuidv7();
    // The MongoDB-flavoured repository never seals: these entries stand for another process's
    // writes whose chunk buffer is gone, or a journal written by an older version.
    expect(await repos.get('mongodb')!.tryAppendMany(range(1, 300).map((seq) => entry(ns, seq)))).toBe(300);
    expect(await chunks.countDocuments({ _id: { $in: [chunkId(ns, 0), chunkId(ns, 1)] } })).toBe(0);

    // Two processes read from mid-chunk at once: both seal chunk 0, one wins, neither fails.
    const [a, b] = await Promise.all([makeRepo('ferretdb').readAfter(ns, 100, 500), makeRepo('ferretdb').readAfter(ns, 100, 500)]);
    expect(a.map((e) => e.seq)).toEqual(range(101, 300));
    expect(b).toEqual(a);
    const c0 = await chunks.findOne({ _id: chunkId(ns, 0) });
    expect(c0 && chunkDocEntries(c0)?.map((e) => e.seq)).toEqual(range(1, 256));
    expect(await chunks.countDocuments({ _id: chunkId(ns, 1) })).toBe(0); // not complete yet

    // A chunk completed by a writer that did not see its start is sealed by its next reader.
    const ferret = repos.get('ferretdb')!;
    expect(await ferret.tryAppendMany(range(301, 520).map((seq) => entry(ns, seq)))).toBe(220);
    expect(await chunks.countDocuments({ _id: chunkId(ns, 1) })).toBe(0);
    expect((await ferret.readAfter(ns, 256, 1000)).map((e) => e.seq)).toEqual(range(257, 520));
    const c1 = await chunks.findOne({ _id: chunkId(ns, 1) });
    expect(c1 && chunkDocEntries(c1)?.map((e) => e.seq)).toEqual(range(257, 512));
  });

  it('a chunk too big to copy is marked so and read entry by entry', { timeout: 60_000 }, async () => {
    const [ferret, mongo] = [repos.get('ferretdb')!, repos.get('mongodb')!];
    const ns = uuidv7();
    const per = Math.floor(CHUNK_MAX_CHANGES / 256) + 1;
    expect(await ferret.tryAppendMany(range(1, 256).map((seq) => entry(ns, seq, per)))).toBe(256);
    expect(await chunks.findOne({ _id: chunkId(ns, 0) })).toEqual({ _id: chunkId(ns, 0), deflated: null });
    const read = await ferret.readAfter(ns, 0, 300);
    expect(read).toHaveLength(256);
    expect(read.every((e) => e.changes.length === per)).toBe(true);
    expect(read).toEqual(await mongo.readAfter(ns, 0, 300));
  });
});
