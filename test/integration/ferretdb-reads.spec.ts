import { getModelToken } from '@nestjs/mongoose';
import { MongoClient } from 'mongodb';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DatabaseTarget } from '../../src/infra/database/database.module.js';
import { detectFlavor } from '../../src/infra/database/flavor.js';
import { StartupError } from '../../src/infra/process/startup-error.js';
import { JournalRepository } from '../../src/modules/journal/journal.repository.js';
import type { JournalEntry } from '../../src/modules/journal/journal.types.js';
import {
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

function entry(ns: string, seq: number): JournalEntry {
  const node = freshNode(uuidv7(), ns, `d${seq}`, 'folder', seq, null);
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
    changes: [{ ...node, path: `/${node.name}` }],
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

  it('a new collection gets an index its _id equality queries use', { timeout: 20_000 }, async () => {
    const db = client.db(uniqueDbName('idindex'));
    await db.collection('things').insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `k${i}` as never, v: i })));
    const plan = async () => {
      const res = await db.command({ explain: { find: 'things', filter: { _id: 'k7' }, limit: 1 } });
      return JSON.stringify(res.queryPlanner);
    };
    // FerretDB's own _id index does not match its query expression: a scan until ours exists.
    // FerretDB's pooled SQLite connections pick up a new index at their next write, hence
    // the marker write in the loop (a live server writes all the time).
    const deadline = Date.now() + 10_000;
    let seen = await plan();
    for (let i = 0; !seen.includes('USING INDEX') && Date.now() < deadline; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await db.collection('things').insertOne({ _id: `marker${i}` as never, v: -1 });
      seen = await plan();
    }
    expect(seen).toMatch(/SEARCH \S+ USING INDEX \S+_pocketcloud_id_lookup/);
    // The index changes plans, not answers.
    expect(await db.collection('things').findOne({ _id: 'k7' as never })).toEqual({ _id: 'k7', v: 7 });
    await expect(db.collection('things').insertOne({ _id: 'k7' as never, v: 0 })).rejects.toMatchObject({ code: 11000 });
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
  const repos = new Map<'ferretdb' | 'mongodb', JournalRepository>();

  beforeAll(async () => {
    const config = testConfig('journal-reads');
    app = await startTestApp(config);
    const model = <T>(name: string) => app.app.get<Model<T>>(getModelToken(name));
    for (const flavor of ['ferretdb', 'mongodb'] as const) {
      repos.set(
        flavor,
        new JournalRepository(
          model<JournalEntryDoc>(JOURNAL_ENTRY_MODEL),
          model<JournalPageDoc>(JOURNAL_PAGE_MODEL),
          model<JournalHeadDoc>(JOURNAL_HEAD_MODEL),
          new DatabaseTarget(inject('mongoUri'), config.database.dbName, flavor),
        ),
      );
    }
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
      expect(first!.changes[0]!.name, flavor).toBe('d1');
    }
  });
});
