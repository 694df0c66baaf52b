import { randomInt } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { assertTree, foldDelta, liveRows } from '../support/journal-fold.js';
import { ServerProcess } from '../support/server-process.js';
import { Device } from '../support/device.js';
import type { SessionInfo } from '../../client/src/sdk/types.js';
import { testEnv } from '../support/test-env.js';

/**
 * A batch is planned in memory and written in bulk (one ordered journal insert, a few
 * projection writes). These hold it to what one-by-one writes promise: a batch that races
 * another process for seqs, and one cut by SIGKILL, lose nothing and apply nothing twice.
 */
describe('bulk batches', () => {
  const env = testEnv('batch_bulk');
  let a = new ServerProcess(env);
  const b = new ServerProcess(env);
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  const checkJournal = async (api: ServerProcess['api'], session: SessionInfo, rootId: string) => {
    const device = Device.of(api, session);
    const entries = await device.sync();
    const seqs = [...new Set(entries.map((e) => e.seq))];
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const folded = foldDelta(entries);
    assertTree(new Map([...folded].filter(([, n]) => !n.deleted)), rootId);
    expect(liveRows(await device.listAll({ path: '/' }, { recursive: true }))).toEqual(liveRows(folded.values()));
    return folded;
  };

  it('a batch racing single writes from another process: every result stands, the journal stays gap-free', { timeout: 300_000 }, async () => {
    await Promise.all([a.start(), b.start()]);
    const session = await a.api.register();
    const onA = Device.of(a.api, session);
    const onB = Device.of(b.api, await b.api.login(session.email, session.password));
    await onA.latest();
    await onB.latest();
    const dir = (await onA.mkdir({ path: '/batch' })).body.entry;

    let stop = false;
    const singles: { id: string; seq: number }[] = [];
    const racer = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await onB.mkdir({ parentId: dir.id, name: `single-${i}` });
        expect(res.status).toBe(201);
        singles.push({ id: res.body.entry.id, seq: res.body.seq! });
        // A second device of the same account, busy but not flooding: the races still happen
        // (each batch of A's takes far longer than this pause), without starving A's fallback.
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const results = [];
    for (let round = 0; round < 3; round++) {
      const ops = Array.from({ length: 150 }, (_, i) => ({ type: 'createFolder', parentId: dir.id, name: `r${round}-${i}`, opId: `r${round}-${i}`, baseCursor: onA.cursor }));
      const res = await onA.api.post('/v1/batch', { ops }, onA.token);
      expect(res.status).toBe(200);
      results.push(...res.body.results);
    }
    stop = true;
    await racer;
    expect(results).toHaveLength(450);
    // Under this race a write may lose its seq more times than the writer retries: 503 BUSY, a
    // documented answer to retry. Anything else, or a busy one that was written anyway, fails.
    const busy = results.filter((r: { status: number; error?: { code: string } }) => r.status === 503 && r.error?.code === 'BUSY');
    expect(results.filter((r: { status: number }) => r.status !== 201 && r.status !== 503)).toEqual([]);
    expect(busy.length).toBeLessThan(results.length / 10);
    const done = results.filter((r: { status: number }) => r.status === 201);
    const folded = await checkJournal(a.api, session, session.user.rootNamespaceId);
    // Each result's seq holds that result's node, and no create happened twice.
    const bySeq = new Map<number, string>();
    const entries = await Device.of(a.api, session).sync();
    for (const e of entries) bySeq.set(e.seq, e.id);
    for (const r of done) expect(bySeq.get(r.result.seq)).toBe(r.result.entry.id);
    for (const s of singles) expect(bySeq.get(s.seq)).toBe(s.id);
    const names = [...folded.values()].filter((n) => n.parentId === dir.id).map((n) => n.name);
    expect(names.length).toBe(done.length + singles.length);
    const busyNames = new Set(busy.map((r: { opId: string }) => r.opId));
    expect(names.filter((n) => busyNames.has(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    expect(singles.length).toBeGreaterThan(0);
  });

  it('a batch cut by SIGKILL: retried with its opIds, every operation is applied exactly once', { timeout: 300_000 }, async () => {
    await b.stop();
    const session = await a.api.register();
    const token = session.tokens.accessToken;
    const device = Device.of(a.api, session);
    await device.latest();
    const dir = (await device.mkdir({ path: '/killed' })).body.entry;
    const ops = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? { type: 'createFolder', parentId: dir.id, name: `f${i}`, opId: `k-${i}`, baseCursor: device.cursor }
        : { type: 'commit', parentId: dir.id, name: `file${i}.txt`, blocks: [], size: 0, opId: `k-${i}`, baseCursor: device.cursor },
    );
    const body = { ops };
    const cut = a.api.post('/v1/batch', body, token).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 150 + randomInt(400)));
    await a.kill();
    await cut;

    a = new ServerProcess(env);
    await a.start();
    const again = await a.api.post('/v1/batch', body, token);
    expect(again.status).toBe(200);
    expect(again.body.results.map((r: { status: number }) => r.status).filter((s: number) => s !== 200 && s !== 201)).toEqual([]);
    // A retry answers from the records: same ids as a second retry gives.
    const third = await a.api.post('/v1/batch', body, token);
    expect(third.body.results.map((r: { result: { entry: { id: string } } }) => r.result.entry.id)).toEqual(
      again.body.results.map((r: { result: { entry: { id: string } } }) => r.result.entry.id),
    );

    const folded = await checkJournal(a.api, session, session.user.rootNamespaceId);
    const names = [...folded.values()].filter((n) => n.parentId === dir.id && !n.deleted).map((n) => n.name);
    expect(names.sort()).toEqual(ops.map((o) => o.name).sort());
  });
});
