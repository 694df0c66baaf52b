import { randomBytes } from 'node:crypto';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DatabaseTarget, FerretDbIndexCleaner } from '../../src/infra/database/database.module.js';
import { collectionOf } from '../../src/infra/database/collections.js';
import { BlocksRepository } from '../../src/modules/blocks/blocks.repository.js';
import { BLOCK_MODEL, SWEEP_MODEL, USER_BLOCK_MODEL, type BlockDoc, type SweepDoc, type UserBlockDoc } from '../../src/modules/blocks/schemas/block.schema.js';
import { eventually } from '../support/eventually.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

const hash = (): string => randomBytes(32).toString('hex');

/** The two ways of looking up blocks (docs/database.md): the same answers on either database. */
describe('block look-ups', () => {
  let app: TestApp;
  let makeRepo: (flavor: 'ferretdb' | 'mongodb') => BlocksRepository;
  let blocks: ReturnType<typeof collectionOf<BlockDoc>>;

  beforeAll(async () => {
    const config = testConfig('blocks-lookups');
    app = await startTestApp(config);
    const model = <T>(name: string) => app.app.get<Model<T>>(getModelToken(name));
    makeRepo = (flavor) =>
      new BlocksRepository(
        model<BlockDoc>(BLOCK_MODEL),
        model<UserBlockDoc>(USER_BLOCK_MODEL),
        model<SweepDoc>(SWEEP_MODEL),
        new DatabaseTarget(inject('mongoUri'), config.database.dbName, flavor),
      );
    blocks = collectionOf(model<BlockDoc>(BLOCK_MODEL));
  });
  afterAll(() => app.close());

  it('holdings read by point reads (FerretDB) and by $in (MongoDB) agree', async () => {
    const ferret = makeRepo('ferretdb');
    const mongo = makeRepo('mongodb');
    const mine = Array.from({ length: 1200 }, hash); // more than one $in read
    const theirs = hash();
    const at = new Date();
    await ferret.recordHeldMany('u-look', mine.map((h) => ({ hash: h, size: 7 })), at, new Set());
    await ferret.recordHeldMany('u-other', [{ hash: theirs, size: 9 }], at, new Set());
    const ask = [...mine.slice(0, 1100), theirs, hash()];
    const want = new Map(mine.slice(0, 1100).map((h) => [h, 7]));
    expect(await ferret.heldBy('u-look', ask)).toEqual(want);
    expect(await mongo.heldBy('u-look', ask)).toEqual(want);
    expect(await mongo.heldBy('u-other', ask)).toEqual(new Map([[theirs, 9]]));
  });

  it('on FerretDB, knows which blocks were never stored: stored ones (before it started or by itself since) are never among them', async () => {
    const before = Array.from({ length: 50 }, hash);
    await blocks.insertMany(before.map((h) => ({ _id: h, size: 1, createdAt: new Date() })));
    const repo = makeRepo('ferretdb');
    const fresh = Array.from({ length: 200 }, hash);
    expect(repo.neverStored(fresh)).toEqual([]); // not filled yet: it claims nothing
    repo.onApplicationBootstrap();
    const unseen = await eventually(
      () => Promise.resolve(repo.neverStored(fresh)),
      (u) => u.length > 0,
    );
    // A Bloom filter may take a fresh hash for a stored one (under 1 %), never the reverse.
    expect(unseen.length).toBeGreaterThanOrEqual(195);
    expect(repo.neverStored(before)).toEqual([]);
    await repo.recordStoredMany(fresh.slice(0, 100).map((h) => ({ hash: h, size: 1 })), new Date());
    await repo.recordStored(fresh[150]!, 1, new Date());
    expect(repo.neverStored([...fresh.slice(0, 100), fresh[150]!])).toEqual([]);
    repo.onModuleDestroy();
  });

  it('on MongoDB, claims nothing (its look-ups are one indexed query)', async () => {
    const repo = makeRepo('mongodb');
    repo.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 200));
    const fresh = [hash(), hash()];
    expect(repo.neverStored(fresh)).toEqual([]);
  });
});

/** On FerretDB only unique indexes are built (docs/database.md): the others are never read there. */
describe('indexes on FerretDB', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(testConfig('ferret-indexes'));
  });
  afterAll(() => app.close());

  it('builds the unique ones, not the others, and drops those an earlier version built', async () => {
    const conn = app.app.get<Connection>(getConnectionToken());
    const names = async (c: string) => (await conn.db!.collection(c).indexes()).map((i) => i.name).sort();
    expect(await names('nodes')).toContain('nameKey_1');
    expect(await names('nodes')).not.toContain('ns_1_parentId_1');
    expect(await names('user_blocks')).not.toContain('hash_1');
    // As a server before this change left them (once the pass made at start is done).
    await app.app.get(FerretDbIndexCleaner).startPass;
    await conn.db!.collection('nodes').createIndex({ ns: 1, parentId: 1 });
    await conn.db!.collection('user_blocks').createIndex({ hash: 1 });
    const dropped = await app.app.get(FerretDbIndexCleaner).dropSkipped();
    expect(dropped.sort()).toEqual(['nodes.ns_1_parentId_1', 'user_blocks.hash_1']);
    expect(await names('nodes')).not.toContain('ns_1_parentId_1');
    expect(await names('nodes')).toContain('nameKey_1');
    expect(await app.app.get(FerretDbIndexCleaner).dropSkipped()).toEqual([]);
  });
});
