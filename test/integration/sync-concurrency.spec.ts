import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/common/async.js';
import { uuidv7 } from '../../src/shared/ids.js';
import { assertTree, foldDelta, liveRows } from '../support/journal-fold.js';
import { ServerProcess } from '../support/server-process.js';
import { Device } from '../support/device.js';
import { testEnv } from '../support/test-env.js';

/**
 * Many writers on one namespace, through two server processes on one database: every
 * acknowledged write is in the journal exactly once, seqs are contiguous, and the tree each
 * server shows equals the fold of the journal.
 */
describe('concurrent writers across two server processes', () => {
  const env = testEnv('concurrency');
  const a = new ServerProcess(env);
  const b = new ServerProcess(env);

  beforeAll(async () => {
    await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  it('keeps the journal gap-free and the tree a fold of it', { timeout: 300_000 }, async () => {
    const session = await a.api.register();
    const second = await b.api.login(session.email, session.password);
    const devices = [Device.of(a.api, session), Device.of(b.api, second)];
    for (const d of devices) await d.latest();

    // Folders first (so moves have targets), then a storm of creates, renames and moves,
    // some of them racing for the same name.
    const folders: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await devices[i % 2]!.mkdir({ path: `/f${i}` });
      expect(res.status).toBe(201);
      folders.push(res.body.entry.id);
    }
    const acked = new Map<number, string>(); // seq → node id
    const ops = Array.from({ length: 240 }, (_, i) => i);
    const outcomes = await mapLimit(ops, 16, async (i) => {
      const d = devices[i % 2]!;
      const parentId = folders[i % folders.length]!;
      // Every fifth op races another for the same name in the same folder.
      const name = i % 5 === 0 ? `race-${Math.floor(i / 10)}` : `n${i}`;
      const res =
        i % 3 === 0
          ? await d.mkdir({ parentId, name, id: uuidv7() })
          : await d.commit({ parentId, name, blocks: [], size: 0 });
      if (res.status === 201) acked.set(res.body.seq!, res.body.entry.id);
      return res.status;
    });
    expect(outcomes.filter((s) => s !== 201 && s !== 409), [...a.errors(), ...b.errors()].join('\n')).toEqual([]);

    // Renames and moves of what was created, concurrently through both servers.
    const created = [...acked.values()];
    await mapLimit(created.slice(0, 80), 16, async (id) => {
      const d = devices[Number.parseInt(id.slice(-1), 16) % 2]!;
      await d.sync();
      const res = await d.move({ id, parentId: folders[created.indexOf(id) % folders.length], name: `m-${randomBytes(3).toString('hex')}` });
      expect([201, 409]).toContain(res.status);
      if (res.status === 201) acked.set(res.body.seq!, id);
    });

    const reader = Device.of(a.api, session);
    const entries = await reader.sync();
    const seqs = [...new Set(entries.map((e) => e.seq))];
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // contiguous from 1
    const bySeq = new Map(entries.map((e) => [e.seq, e.id]));
    for (const [seq, id] of acked) expect(bySeq.get(seq)).toBe(id); // every acked write, once, at its seq
    expect(entries.length).toBe(seqs.length); // one change per entry here: each op is seen exactly once

    const folded = foldDelta(entries);
    assertTree(new Map([...folded].filter(([, n]) => !n.deleted)), session.user.rootNamespaceId);
    for (const server of [a, b]) {
      const listed = await Device.of(server.api, session).listAll({ path: '/' }, { recursive: true });
      expect(liveRows(listed)).toEqual(liveRows(folded.values()));
    }
  });
});
