import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/app-config.js';
import { uuidv7 } from '../../src/shared/ids.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { type Device, loginDevice, newDevice } from '../support/device.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { WriteResult } from '../../client/src/sdk/types.js';

/** Node ids are minted by devices and scoped to their namespace: nothing about another account's ids shows. */
describe('node ids are per namespace (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(testConfig('id_scope'));
  });
  afterAll(() => t?.close());

  const created = async (p: Promise<ApiReply<WriteResult>>) => {
    const res = await p;
    expect(res.status, res.ok ? '' : JSON.stringify(res.error)).toBe(201);
    return res.body.entry;
  };
  const metaById = async (d: Device, id: string) => (await d.get('/v1/files/metadata', { id })).body;

  it("answers an id another account holds exactly as a fresh one: 201, and each account keeps its own node", async () => {
    const alice = (await newDevice(t.api)).device;
    const mallory = (await newDevice(t.api)).device;
    const taken = await created(alice.mkdir({ path: '/Photos' }));
    const fresh = uuidv7();

    const probeTaken = await mallory.mkdir({ path: '/Probe1', id: taken.id });
    const probeFresh = await mallory.mkdir({ path: '/Probe2', id: fresh });
    expect([probeTaken.status, probeFresh.status]).toEqual([201, 201]);
    expect(Object.keys(probeTaken.body).sort()).toEqual(Object.keys(probeFresh.body).sort());

    expect(await metaById(alice, taken.id)).toMatchObject({ id: taken.id, path: '/Photos', kind: 'folder' });
    expect(await metaById(mallory, taken.id)).toMatchObject({ id: taken.id, path: '/Probe1', kind: 'folder' });
    // Neither delta mentions the other's node.
    expect((await alice.sync()).map((e) => e.path)).toEqual(['/Photos']);
    expect((await mallory.sync()).map((e) => e.path).sort()).toEqual(['/Probe1', '/Probe2']);
  });

  it('cannot squat an id: a device that created it offline still commits under it later', async () => {
    const phone = (await newDevice(t.api)).device;
    const squatter = (await newDevice(t.api)).device;
    const id = uuidv7(); // minted offline by the phone, learned by the squatter
    await created(squatter.putFile({ path: '/first.txt' }, Buffer.from('squat'), { id }));
    const mine = await created(phone.putFile({ path: '/IMG_0001.jpg' }, Buffer.from('jpeg bytes'), { id }));
    expect(mine).toMatchObject({ id, path: '/IMG_0001.jpg', size: 10 });

    // Each one's content, versions and trash are its own.
    expect((await phone.download({ id })).body.toString()).toBe('jpeg bytes');
    expect((await squatter.download({ id })).body.toString()).toBe('squat');
    expect((await squatter.remove({ id })).status).toBe(201);
    expect(await metaById(phone, id)).toMatchObject({ deleted: false, path: '/IMG_0001.jpg' });
    const revisions = (await phone.get('/v1/files/revisions', { id })).body;
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ size: 10, current: true });
    expect((await phone.get('/v1/trash')).body.entries).toHaveLength(0);
  });

  it('still refuses an id the same namespace holds for a different node (409 ID_TAKEN)', async () => {
    const d = (await newDevice(t.api)).device;
    const id = uuidv7();
    await created(d.mkdir({ path: '/A', id }));
    const again = await d.mkdir({ path: '/B', id });
    expect(again.status).toBe(409);
    expect(again.error.code).toBe('ID_TAKEN');
  });

  it('the same folder id in two accounts keeps children, names and listings apart', async () => {
    const a = (await newDevice(t.api)).device;
    const b = (await newDevice(t.api)).device;
    const id = uuidv7();
    await created(a.mkdir({ path: '/Shared name', id }));
    await created(b.mkdir({ path: '/Shared name', id }));
    await created(a.mkdir({ parentId: id, name: 'only-a' }));
    await created(b.mkdir({ parentId: id, name: 'only-b' }));
    // The same name under the same parent id in both accounts: no NAME_TAKEN across them.
    await created(a.mkdir({ parentId: id, name: 'both' }));
    await created(b.mkdir({ parentId: id, name: 'both' }));
    expect((await a.listAll({ id })).map((e) => e.name)).toEqual(['both', 'only-a']);
    expect((await b.listAll({ id })).map((e) => e.name)).toEqual(['both', 'only-b']);
  });
});

describe('a projection in the older key layout (e2e)', () => {
  it('is rebuilt from the journal at start, with nothing lost', async () => {
    const config: AppConfig = testConfig('id_layout');
    let t = await startTestApp(config);
    const { session, device } = await newDevice(t.api);
    const folder = (await device.mkdir({ path: '/Docs' })).body.entry;
    const file = (await device.putFile({ path: '/Docs/a.txt' }, Buffer.from('v1'))).body.entry;
    await device.putFile({ path: '/Docs/a.txt' }, Buffer.from('v2'), { id: file.id });
    await t.close();

    // What the layout-1 server left: node and revision documents keyed by the bare ids, no marker.
    const client = await MongoClient.connect(config.database.mode === 'external' ? config.database.uri : '');
    try {
      const db = client.db(config.database.dbName);
      await db.collection('projection_meta').deleteMany({});
      await db.collection('nodes').deleteMany({});
      await db.collection('revisions').deleteMany({});
      await db.collection<{ _id: string }>('nodes').insertOne({ _id: folder.id, ns: session.user.id, parentId: session.user.id, name: 'Docs' } as never);
    } finally {
      await client.close();
    }

    t = await startTestApp(config);
    try {
      const d = await loginDevice(t.api, session);
      expect((await d.get('/v1/files/metadata', { path: '/Docs/a.txt' })).body).toMatchObject({ id: file.id, size: 2 });
      expect((await d.listAll({ id: folder.id })).map((e) => e.name)).toEqual(['a.txt']);
      expect((await d.get('/v1/files/revisions', { id: file.id })).body).toHaveLength(2);
      expect((await d.download({ id: file.id })).body.toString()).toBe('v2');
      const check = await MongoClient.connect(config.database.mode === 'external' ? config.database.uri : '');
      try {
        const db = check.db(config.database.dbName);
        expect(await db.collection('nodes').countDocuments({ _id: folder.id } as never)).toBe(0);
        expect(await db.collection('projection_meta').findOne({ _id: 'layout' } as never)).toMatchObject({ layout: 2 });
      } finally {
        await check.close();
      }
    } finally {
      await t.close();
    }
  });
});
