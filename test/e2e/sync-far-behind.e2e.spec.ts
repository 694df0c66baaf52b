import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../client/src/sdk/errors.js';
import { useSimWorld } from '../support/sim-world.js';

// DELTA_RELIST_AFTER_ENTRIES=5: a cursor more than five journal entries behind is told to relist.
const { device, expectConverged } = useSimWorld('far-behind', { DELTA_RELIST_AFTER_ENTRIES: '5' });

async function deltaError(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('a device far behind relists instead of reading every change', () => {
  it('answers 409 CURSOR_RESET with how far behind; the engine relists, keeps its offline work, and converges', async () => {
    const a = await device('A');
    const b = await device('B');
    await a.sync();
    await b.sync();
    const stale = b.store.cursor;

    // Five entries behind: still a delta.
    for (let i = 0; i < 5; i++) await writeFile(path.join(a.root, `early-${i}.txt`), `early ${i}`);
    await a.sync();
    expect((await b.client.delta(stale)).entries).toHaveLength(5);

    // Three more (eight behind): a relist. B made a file of its own meanwhile, offline.
    for (let i = 0; i < 3; i++) await writeFile(path.join(a.root, `late-${i}.txt`), `late ${i}`);
    await a.sync();
    const err = await deltaError(b.client.delta(stale));
    expect(err).toMatchObject({ status: 409, code: 'CURSOR_RESET', details: { behind: 8, relistAfter: 5 } });
    expect(err.message).toMatch(/list the tree again/);

    await writeFile(path.join(b.root, 'offline on B.txt'), 'made while behind');
    await b.sync();
    await a.sync();
    await expectConverged(a, b);
    const names = (await a.client.list({ path: '/' }, true)).map((e) => e.name).sort();
    expect(names).toEqual(['early-0.txt', 'early-1.txt', 'early-2.txt', 'early-3.txt', 'early-4.txt', 'late-0.txt', 'late-1.txt', 'late-2.txt', 'offline on B.txt']);
    // B's cursor is at the head again: its next read is an ordinary (empty) delta.
    expect((await b.client.delta(b.store.cursor)).entries).toEqual([]);
  });

  it('never tells a reader from the start, or one paging on, to relist', async () => {
    const c = await device('C');
    const head = (await c.client.latest()).seq;
    expect(head).toBeGreaterThan(5);
    let cursor: string | undefined;
    let seen = 0;
    let pages = 0;
    for (;;) {
      const page = await c.client.delta(cursor, 1);
      seen += page.entries.length;
      pages++;
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(pages).toBeGreaterThan(5);
    expect(seen).toBeGreaterThanOrEqual(head);
    // The last cursor (at the head, nothing more) is an ordinary one.
    expect((await c.client.delta(cursor)).entries).toEqual([]);
  });
});
