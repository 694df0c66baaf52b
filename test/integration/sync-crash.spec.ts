import { randomInt } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { assertTree, foldDelta, liveRows } from '../support/journal-fold.js';
import { ServerProcess } from '../support/server-process.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { WriteResult } from '../../client/src/sdk/types.js';
import { Device } from '../support/device.js';
import { testEnv } from '../support/test-env.js';

/** One write of the storm: a rename, a new folder or a new (empty) file. */
type Op =
  | { opId: string; path: '/v1/files/move'; body: { id: string; name: string } }
  | { opId: string; path: '/v1/folders'; body: { parentId: string; name: string } }
  | { opId: string; path: '/v1/files/commit'; body: { parentId: string; name: string; blocks: string[]; size: number } };

/** The request never got its answer: the server died under it (anywhere in the error's causes). */
function connectionLost(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const text = e instanceof Error ? `${e.name}: ${e.message} ${(e as NodeJS.ErrnoException).code ?? ''}` : '';
    if (/fetch failed|terminated|ECONNRESET|ECONNREFUSED|socket/i.test(text)) return true;
  }
  return false;
}

/**
 * The server is killed with SIGKILL at random moments while writes stream in, then restarted
 * on the same database. Every acknowledged write survives exactly once, an operation whose
 * answer was lost is retried with its opId and applied exactly once, seqs stay contiguous,
 * and the tree equals the fold of the journal.
 */
describe('crash recovery (SIGKILL during writes)', () => {
  const env = testEnv('crash');
  let server = new ServerProcess(env);
  afterAll(() => server.stop());

  it('loses no acknowledged write and applies none twice', { timeout: 600_000 }, async () => {
    await server.start();
    const session = await server.api.register();
    const device = Device.of(server.api, session);
    await device.latest();
    const base = device.cursor;
    const folders: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await device.mkdir({ path: `/dir${i}` });
      folders.push(res.body.entry.id);
    }

    const acked = new Map<string, { seq: number | null; id: string }>();
    const unknown = new Map<string, Op>();
    const sent = new Map<string, Op>();
    let counter = 0;
    const nextOp = (): Op => {
      const n = counter++;
      const opId = `op-${n}`;
      const parentId = folders[n % folders.length]!;
      const made = [...acked.values()].filter((a) => a.seq !== null);
      // Mostly creates; some renames of acknowledged nodes (multi-attribute, multi-node work).
      if (n % 4 === 3 && made.length > 0) {
        const target = made[randomInt(made.length)]!;
        return { opId, path: '/v1/files/move', body: { id: target.id, name: `renamed-${n}` } };
      }
      if (n % 2 === 0) return { opId, path: '/v1/folders', body: { parentId, name: `folder-${n}` } };
      return { opId, path: '/v1/files/commit', body: { parentId, name: `file-${n}.txt`, blocks: [], size: 0 } };
    };
    /** Sends `op` to `to` (the server of the moment) with the base cursor and op id it was made with. */
    const send = (to: ServerProcess, op: Op): Promise<ApiReply<WriteResult>> => {
      const d = Device.of(to.api, session);
      const w = { baseCursor: base, opId: op.opId };
      switch (op.path) {
        case '/v1/files/move':
          return d.move({ ...op.body, ...w });
        case '/v1/folders':
          return d.mkdir({ ...op.body, ...w });
        case '/v1/files/commit':
          return d.commit({ ...op.body, ...w });
      }
    };

    for (let round = 0; round < 6; round++) {
      let stop = false;
      const writer = async (): Promise<void> => {
        while (!stop) {
          const op = nextOp();
          unknown.set(op.opId, op);
          sent.set(op.opId, op);
          try {
            const res = await send(server, op);
            if (res.status === 201 || res.status === 200) {
              acked.set(op.opId, { seq: res.body.seq, id: res.body.entry.id });
              unknown.delete(op.opId);
            } else if (res.status === 409 && op.path === '/v1/files/move') {
              unknown.delete(op.opId); // a rename that met a name clash: refused, nothing to retry
            } else {
              throw new Error(`${op.path} answered ${res.status} ${JSON.stringify(res.raw)}`);
            }
          } catch (err) {
            if (!connectionLost(err)) throw err;
            return; // the server is gone; this op's outcome is unknown
          }
        }
      };
      const writers = Promise.all([writer(), writer(), writer(), writer()]);
      await new Promise((r) => setTimeout(r, 200 + randomInt(800)));
      await server.kill();
      stop = true;
      await writers;

      server = new ServerProcess(env);
      await server.start();
      // Retry every operation whose answer was lost: applied exactly once, whatever happened.
      for (const op of unknown.values()) {
        const res = await send(server, op);
        expect([200, 201], `${op.opId}: ${JSON.stringify(res.raw)}`).toContain(res.status);
        acked.set(op.opId, { seq: res.body.seq, id: res.body.entry.id });
      }
      unknown.clear();
      // A late retry of something acknowledged before the crash gets the same answer again.
      const [someOpId, first] = [...acked.entries()][randomInt(acked.size)]!;
      const again = await send(server, sent.get(someOpId)!);
      if (first.seq !== null) expect({ seq: again.body.seq, id: again.body.entry.id }).toEqual(first);
    }
    expect(acked.size).toBeGreaterThan(50);

    const reader = Device.of(server.api, session);
    const entries = await reader.sync();
    const seqs = [...new Set(entries.map((e) => e.seq))];
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const idAtSeq = new Map(entries.map((e) => [e.seq, e.id]));
    for (const [opId, a] of acked) if (a.seq !== null) expect(idAtSeq.get(a.seq), opId).toBe(a.id);
    // No operation was applied twice: each create made exactly one node.
    const folded = foldDelta(entries);
    const createdNames = [...folded.values()].filter((n) => /^(folder|file)-\d+/.test(n.name)).map((n) => n.name);
    expect(new Set(createdNames).size).toBe(createdNames.length);

    assertTree(new Map([...folded].filter(([, n]) => !n.deleted)), session.user.rootNamespaceId);
    expect(liveRows(await Device.of(server.api, session).listAll({ path: '/' }, { recursive: true }))).toEqual(liveRows(folded.values()));
  });
});
