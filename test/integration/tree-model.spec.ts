import { MongoClient } from 'mongodb';
import { getModelToken } from '@nestjs/mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { freshNode } from '../../src/domain/node.js';
import { JournalService } from '../../src/modules/journal/journal.service.js';
import { collectionOf } from '../../src/infra/database/collections.js';
import { NAME_MODEL, NODE_MODEL, type NameDoc, type NodeDoc } from '../../src/modules/namespace/schemas/node.schema.js';
import { NAMESPACE_MODEL, type NamespaceDoc } from '../../src/modules/namespace/schemas/namespace.schema.js';
import { ProjectionService } from '../../src/modules/namespace/projection.service.js';
import { TreeModels } from '../../src/modules/namespace/tree-model.js';
import { TreeRepository } from '../../src/modules/namespace/tree.repository.js';
import { uuidv7Maker } from '../../src/shared/ids.js';
import { prng } from '../support/sync-random.js';
import { type Account, type Device, loginDevice, newDevice } from '../support/device.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testEnv } from '../support/test-env.js';

/**
 * Two servers on one database: `mem` serves reads from its in-memory tree models, `db` keeps
 * none (TREE_MODEL_MAX_NODES=0) and reads the stored projection. Writes go to both, so each
 * one's models are regularly behind the journal by what the other wrote. Every read must
 * answer the same on both.
 */
describe('the in-memory tree model answers as the stored projection does', () => {
  let mem: TestApp;
  let db: TestApp;
  let env: Record<string, string>;
  let account: Account;
  let onMem: Device;
  let onDb: Device;

  beforeAll(async () => {
    env = testEnv('tree_model');
    mem = await startTestApp(loadConfig(env));
    db = await startTestApp(loadConfig({ ...env, TREE_MODEL_MAX_NODES: '0' }));
    ({ session: account, device: onMem } = await newDevice(mem.api));
    onDb = await loginDevice(db.api, account, 'second');
  });
  afterAll(async () => {
    await mem?.close();
    await db?.close();
  });

  it('after a random mix of writes from both servers: listings, lookups, trash, revisions and block checks agree', { timeout: 240_000 }, async () => {
    const rnd = prng(20261204);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const folders: string[] = [account.user.id];
    const files: string[] = [];
    const names = ['a', 'B', 'b', 'c.txt', 'Ä', 'ä', 'z', 'photo.jpg', 'x y'];
    for (let step = 0; step < 160; step++) {
      const d = rnd() < 0.5 ? onMem : onDb;
      await d.latest();
      const r = rnd();
      const name = `${pick(names)}${Math.floor(rnd() * 4)}`;
      let res: { status: number } | undefined;
      if (r < 0.25) {
        const made = await d.mkdir({ parentId: pick(folders), name });
        res = made;
        if (made.status === 201) folders.push(made.body.entry.id);
      } else if (r < 0.5) {
        const made = await d.putFile({ parentId: pick(folders), name }, Buffer.from(`v${step}`));
        res = made;
        if (made.status === 201) files.push(made.body.entry.id);
      } else if (r < 0.6 && files.length > 0) {
        res = await d.putFile({ parentId: pick(folders), name }, Buffer.from(`edit ${step}`), { id: pick(files) });
      } else if (r < 0.75) {
        res = await d.sendRaw('POST', '/v1/files/move', { id: pick([...folders.slice(1), ...files]) ?? files[0], parentId: pick(folders), name });
      } else if (r < 0.9) {
        res = await d.sendRaw('POST', '/v1/files/delete', { id: pick([...folders.slice(1), ...files]) });
      } else {
        res = await d.sendRaw('POST', '/v1/files/restore', { id: pick([...folders.slice(1), ...files]) });
      }
      expect(res === undefined || res.status < 500).toBe(true);
    }

    const same = async (path: string) => {
      const [a, b] = await Promise.all([onMem.api.get(path, onMem.token), onDb.api.get(path, onDb.token)]);
      const { requestId: _a, ...bodyA } = a.body;
      const { requestId: _b, ...bodyB } = b.body;
      expect({ path, status: a.status, body: bodyA }).toEqual({ path, status: b.status, body: bodyB });
      return a;
    };
    for (const id of folders) {
      await same(`/v1/files/list?id=${id}`);
      await same(`/v1/files/list?id=${id}&limit=2`);
      const first = await onMem.api.get(`/v1/files/list?id=${id}&limit=2`, onMem.token);
      if (first.body.cursor) await same(`/v1/files/list?id=${id}&limit=2&cursor=${encodeURIComponent(first.body.cursor)}`);
      await same(`/v1/files/metadata?id=${id}`);
    }
    await same(`/v1/files/list?id=${account.user.id}&recursive=true`);
    for (const id of files) {
      await same(`/v1/files/metadata?id=${id}`);
      await same(`/v1/files/revisions?id=${id}`);
      const meta = await onMem.api.get(`/v1/files/metadata?id=${id}`, onMem.token);
      if (meta.body.path) await same(`/v1/files/metadata?path=${encodeURIComponent(meta.body.path)}`);
      const blocks = await onMem.api.get(`/v1/files/blocks?id=${id}`, onMem.token);
      for (const h of blocks.body.blocks ?? []) {
        const [a, b] = await Promise.all([onMem.api.get(`/v1/blocks/${h}`, onMem.token), onDb.api.get(`/v1/blocks/${h}`, onDb.token)]);
        expect(a.status).toBe(b.status);
      }
    }
    await same('/v1/trash');
    await same('/v1/trash?limit=1');
    // The in-memory side really served from memory.
    expect(mem.app.get(TreeModels).nodeCount).toBeGreaterThan(0);
    expect(db.app.get(TreeModels).nodeCount).toBe(0);
    // Its folders are many, some with more than one page of children: the paging above compared pages past the first.
    expect(folders.length).toBeGreaterThan(20);
  });

  it('answers reads from the journal when the stored projection lags it, without the lock, and a write repairs the projection', { timeout: 60_000 }, async () => {
    // A process that died right after its journal insert: the entry is acknowledged-durable,
    // the stored projection lacks it. Reads on `mem` fold it into the model from the journal.
    await onMem.latest();
    const lag = (await onMem.mkdir({ path: '/lag' })).body.entry;
    expect((await onMem.api.get(`/v1/files/list?id=${lag.id}`, onMem.token)).body.entries).toEqual([]);
    const journal = mem.app.get(JournalService);
    const ns = account.user.id;
    const seq = (await journal.head(ns)) + 1;
    const id = uuidv7Maker()();
    const state = { ...freshNode(id, lag.id, 'only-in-journal', 'folder', seq, null), path: '/lag/only-in-journal' };
    const usage = await journal.usage(ns);
    expect(await journal.append({ ns, seq, at: new Date(), userId: ns, deviceId: null, kind: 'folder.create', opKey: null, opHash: null, changes: [state], usage })).toBe(true);

    const client = await MongoClient.connect(env.MONGODB_URI!);
    try {
      const stored = () => client.db(env.MONGODB_DB).collection<{ _id: string }>('nodes').countDocuments({ _id: `${ns}/${id}` });
      const listed = await onMem.api.get(`/v1/files/list?id=${lag.id}`, onMem.token);
      expect(listed.body.entries.map((e: { name: string }) => e.name)).toEqual(['only-in-journal']);
      expect((await onMem.api.get('/v1/files/metadata?path=/lag/only-in-journal', onMem.token)).body.id).toBe(id);
      expect(await stored()).toBe(0); // served by the model, which no projection write held up
      expect((await onMem.mkdir({ parentId: lag.id, name: 'after' })).status).toBe(201);
      expect(await stored()).toBe(1); // the writer caught the projection up under the lock
    } finally {
      await client.close();
    }
  });

  it('a replay of journal entries writes only what the stored projection lacks, and leaves it as a fresh apply would', { timeout: 60_000 }, async () => {
    // After a restart the applied-seq hint lags by up to 15 entries, and a crash can leave an
    // entry's projection half written: the catch-up replays them (applyEntriesBulk, replay).
    await onMem.latest();
    const dir = (await onMem.mkdir({ path: '/replay' })).body.entry;
    const made = await onMem.batch(Array.from({ length: 30 }, (_, i) => ({ type: 'createFolder' as const, parentId: dir.id, name: `r${i}` })));
    expect(made.body.results.every((r) => r.status === 201)).toBe(true);
    expect((await onMem.remove({ id: dir.id })).status).toBe(201); // one entry of 31 nodes
    const journal = mem.app.get(JournalService);
    const ns = account.user.id;
    const head = await journal.head(ns);
    const entries = await journal.readAfter(ns, head - 32, 32);
    const ids = [...new Set(entries.flatMap((e) => e.changes.map((c) => `${ns}/${c.id}`)))];
    const nodes = collectionOf<NodeDoc>(mem.app.get(getModelToken(NODE_MODEL)));
    const names = collectionOf<NameDoc>(mem.app.get(getModelToken(NAME_MODEL)));
    const snapshot = async () => ({
      nodes: await nodes.find({ _id: { $in: ids } }).sort({ _id: 1 }).toArray(),
      names: await names.find({ nodeId: { $in: ids.map((i) => i.slice(ns.length + 1)) } }).sort({ _id: 1 }).toArray(),
    });
    const before = await snapshot();
    expect(before.nodes).toHaveLength(ids.length);
    const tree = mem.app.get(TreeRepository);
    const writes = [vi.spyOn(nodes, 'replaceOne'), vi.spyOn(nodes, 'insertMany'), vi.spyOn(names, 'insertMany'), vi.spyOn(names, 'replaceOne')];
    try {
      await tree.applyEntriesBulk(ns, entries, true);
      for (const w of writes) expect(w).not.toHaveBeenCalled(); // all of it was stored already
      // Half written: some nodes missing, one a state behind, one name gone.
      await nodes.deleteMany({ _id: { $in: ids.slice(0, 5) } });
      await nodes.updateOne({ _id: ids[7]! }, { $set: { projSeq: 0, deleted: false } });
      await names.deleteOne({ _id: before.names[0]!._id });
      await tree.applyEntriesBulk(ns, entries, true);
      expect(writes[0]).toHaveBeenCalledTimes(1);
      expect(await snapshot()).toEqual(before);
    } finally {
      for (const w of writes) w.mockRestore();
    }
  });

  it('a server that stops stores the applied seq of what it applied, so the next start re-applies nothing', { timeout: 60_000 }, async () => {
    await onMem.latest();
    const journal = mem.app.get(JournalService);
    const ns = account.user.id;
    // The hint is stored every 16 entries on the way: end between two of them.
    do expect((await onMem.mkdir({ path: `/stop-${Date.now()}` })).status).toBe(201);
    while ((await journal.head(ns)) % 16 === 0);
    const namespaces = collectionOf<NamespaceDoc>(mem.app.get(getModelToken(NAMESPACE_MODEL)));
    const hint = async () => (await namespaces.findOne({ _id: ns }))?.appliedSeq;
    const head = await journal.head(ns);
    expect(await hint()).toBeLessThan(head);
    await mem.app.get(ProjectionService).beforeApplicationShutdown(); // what app.close() runs
    expect(await hint()).toBe(head);
  });

  it('a server started later loads the model from the stored snapshot and answers the same', { timeout: 240_000 }, async () => {
    await onMem.latest();
    const bulk = (await onMem.mkdir({ path: '/bulk' })).body.entry;
    for (let round = 0; round < 3; round++) {
      const ops = Array.from({ length: 800 }, (_, i) => ({ type: 'createFolder' as const, parentId: bulk.id, name: `b${round}-${i}` }));
      const res = await onMem.batch(ops);
      expect(res.body.results.every((r) => r.status === 201)).toBe(true);
    }
    const client = await MongoClient.connect(env.MONGODB_URI!);
    try {
      const snapshots = client.db(env.MONGODB_DB).collection<{ _id: string; seq?: number }>('tree_snapshots');
      await expect.poll(async () => (await snapshots.findOne({ _id: account.user.id }))?.seq ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2000);
    } finally {
      await client.close();
    }
    const cold = await startTestApp(loadConfig(env));
    try {
      const onCold = await loginDevice(cold.api, account, 'cold');
      for (const path of [`/v1/files/list?id=${bulk.id}&limit=500`, `/v1/files/list?id=${account.user.id}`, '/v1/trash', `/v1/files/metadata?path=/bulk/b2-799`]) {
        const [a, b] = await Promise.all([onCold.api.get(path, onCold.token), onDb.api.get(path, onDb.token)]);
        const { requestId: _a, ...bodyA } = a.body;
        const { requestId: _b, ...bodyB } = b.body;
        expect({ path, status: a.status, body: bodyA }).toEqual({ path, status: b.status, body: bodyB });
      }
      expect(cold.app.get(TreeModels).nodeCount).toBeGreaterThan(2400);
    } finally {
      await cold.close();
    }
  });
});
