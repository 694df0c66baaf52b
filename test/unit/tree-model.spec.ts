import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/modules/journal/journal.types.js';
import type { NodeState } from '../../src/domain/node.js';
import { freshNode } from '../../src/domain/node.js';
import { NamespaceModel, SNAPSHOT_EVERY, TreeModels, type SnapshotStore, type TreeSnapshot } from '../../src/modules/namespace/tree-model.js';
import { prng } from '../support/sync-random.js';

const NS = '00000000-0000-7000-8000-000000000000';

/** A journal of `n` entries: folders and files (some with new versions), moves and deletes. */
function journal(n: number, seed = 7): JournalEntry[] {
  const rnd = prng(seed);
  const nodes: NodeState[] = [];
  const entries: JournalEntry[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let seq = 1; seq <= n; seq++) {
    const folders = nodes.filter((x) => x.kind === 'folder' && !x.deleted);
    const r = rnd();
    let state: NodeState;
    if (r < 0.6 || nodes.length < 5) {
      const kind = rnd() < 0.3 ? 'folder' : 'file';
      const parent = folders.length > 0 && rnd() < 0.8 ? pick(folders).id : NS;
      const hash = `${seq}`.padStart(64, 'a');
      state = { ...freshNode(`id-${seq}`, parent, `n${seq % 97}-${seq}`, kind, seq, 'dev'), path: '/', ...(kind === 'file' ? { contentHash: hash, blocks: [hash], size: 3 } : {}) };
    } else {
      const old = pick(nodes);
      state = { ...old, rev: seq };
      if (r < 0.75 && old.kind === 'file') Object.assign(state, { contentSeq: seq, contentHash: `${seq}`.padStart(64, 'b'), blocks: [`${seq}`.padStart(64, 'b')] });
      else if (r < 0.9) Object.assign(state, { name: `m${seq}`, locationSeq: seq });
      else Object.assign(state, { deleted: !old.deleted, deletedSeq: seq, deletedAt: new Date(seq * 1000), trashRootId: old.deleted ? null : old.id });
    }
    const i = nodes.findIndex((x) => x.id === state.id);
    if (i >= 0) nodes[i] = state;
    else nodes.push(state);
    entries.push({ ns: NS, seq, at: new Date(seq * 1000), userId: NS, deviceId: 'dev', kind: 'file.commit', opKey: null, opHash: null, changes: [state], usage: 0 });
  }
  return entries;
}

/** Every read of a model, as comparable data. */
function reads(m: NamespaceModel, entries: readonly JournalEntry[]): unknown {
  const ids = [NS, ...new Set(entries.flatMap((e) => e.changes.map((c) => c.id)))];
  return {
    seq: m.seq,
    size: m.size,
    nodes: ids.map((id) => m.node(id)),
    pages: ids.map((id) => [m.liveChildrenPage(id, null, 3), m.liveChildrenPage(id, 'n5', 1000), m.children(id, 'all').length]),
    trash: m.trashRoots(1000, null),
    revisions: ids.map((id) => m.revisionsOf(id)),
    blocks: entries.map((e) => m.referencesBlock(e.changes[0]!.blocks[0] ?? '')),
  };
}

function fold(entries: readonly JournalEntry[]): NamespaceModel {
  const m = new NamespaceModel(NS);
  for (const e of entries) m.apply(e);
  return m;
}

describe('NamespaceModel', () => {
  it('pages a folder in name order from any key, and ignores entries it has', () => {
    const m = new NamespaceModel(NS);
    const names = ['b', 'A', 'c', 'a0', 'B1'];
    names.forEach((name, i) => m.apply({ ns: NS, seq: i + 1, at: new Date(), userId: NS, deviceId: null, kind: 'folder.create', opKey: null, opHash: null, usage: 0, changes: [{ ...freshNode(`f${i}`, NS, name, 'folder', i + 1, null), path: `/${name}` }] }));
    expect(m.liveChildrenPage(NS, null, 10).map((n) => n.name)).toEqual(['A', 'a0', 'b', 'B1', 'c']);
    expect(m.liveChildrenPage(NS, 'a0', 2).map((n) => n.name)).toEqual(['b', 'B1']);
    expect(m.liveChildrenPage(NS, 'c', 2)).toEqual([]);
    expect(m.liveChildByName(NS, 'b1')?.id).toBe('f4');
    const seq = m.seq;
    m.apply({ ns: NS, seq: 2, at: new Date(), userId: NS, deviceId: null, kind: 'folder.create', opKey: null, opHash: null, usage: 0, changes: [] });
    expect(m.seq).toBe(seq);
    expect(() => m.apply({ ns: NS, seq: seq + 2, at: new Date(), userId: NS, deviceId: null, kind: 'folder.create', opKey: null, opHash: null, usage: 0, changes: [] })).toThrow(/got entry/);
  });

  it('hands out copies: editing a node read from it does not change it', () => {
    const m = fold(journal(20));
    const n = m.node('id-1')!;
    n.name = 'changed';
    expect(m.node('id-1')!.name).not.toBe('changed');
  });

  it('answers from a snapshot exactly as from the fold it was taken of, and goes on folding from there', () => {
    const entries = journal(600);
    const direct = fold(entries);
    const half = fold(entries.slice(0, 300));
    const restored = NamespaceModel.fromSnapshot(NS, structuredClone(half.snapshot()));
    for (const e of entries.slice(300)) restored.apply(e);
    expect(reads(restored, entries)).toEqual(reads(direct, entries));
  });
});

class MemoryStore implements SnapshotStore {
  saved = new Map<string, TreeSnapshot>();
  fail = false;
  load(ns: string): Promise<TreeSnapshot | null> {
    if (this.fail) return Promise.reject(new Error('store down'));
    return Promise.resolve(structuredClone(this.saved.get(ns) ?? null));
  }
  save(ns: string, s: TreeSnapshot): Promise<void> {
    this.saved.set(ns, structuredClone(s));
    return Promise.resolve();
  }
}

describe('TreeModels', () => {
  const entries = journal(SNAPSHOT_EVERY + 500);
  const reader = (log: number[]) => (_ns: string, after: number, limit: number) => {
    log.push(after);
    return Promise.resolve(entries.slice(after, after + limit));
  };

  it('snapshots a model once enough is folded, and a new process loads it and folds only the rest', async () => {
    const store = new MemoryStore();
    const first = new TreeModels(10_000_000, reader([]), store);
    await first.catchUp(NS, entries.length);
    await new Promise((r) => setImmediate(r));
    expect(store.saved.get(NS)?.seq).toBe(entries.length);

    const reads2: number[] = [];
    const second = new TreeModels(10_000_000, reader(reads2), store);
    await second.catchUp(NS, entries.length + 0);
    expect(reads2).toEqual([]); // nothing to fold: the snapshot is at the head
    expect(reads(second.get(NS)!, entries)).toEqual(reads(first.get(NS)!, entries));
  });

  it('snapshots a growing model at intervals that grow with it (each at least SNAPSHOT_EVERY and its node count)', async () => {
    const long = journal(8_000, 11);
    const saves: { seq: number; nodes: number }[] = [];
    const store: SnapshotStore = {
      load: () => Promise.resolve(null),
      save: (_ns, s) => {
        saves.push({ seq: s.seq, nodes: s.nodes.length });
        return Promise.resolve();
      },
    };
    const models = new TreeModels(10_000_000, (_ns, after, limit) => Promise.resolve(long.slice(after, after + limit)), store);
    for (let head = 250; head <= long.length; head += 250) {
      await models.catchUp(NS, head);
      await new Promise((r) => setImmediate(r));
    }
    expect(saves.length).toBeGreaterThan(1);
    saves.forEach((s, i) => expect(s.seq - (saves[i - 1]?.seq ?? 0)).toBeGreaterThanOrEqual(Math.max(SNAPSHOT_EVERY, s.nodes)));
  });

  it('folds the journal when the snapshot is ahead of the head it was asked for, or the store fails', async () => {
    const store = new MemoryStore();
    await new TreeModels(10_000_000, reader([]), store).catchUp(NS, entries.length);
    await new Promise((r) => setImmediate(r));
    const log: number[] = [];
    const behind = new TreeModels(10_000_000, reader(log), store);
    await behind.catchUp(NS, 100);
    expect(behind.get(NS)!.seq).toBe(100);
    expect(log[0]).toBe(0);

    store.fail = true;
    const errors: unknown[] = [];
    const down = new TreeModels(10_000_000, reader([]), store, (err) => errors.push(err));
    await down.catchUp(NS, entries.length);
    expect(down.get(NS)!.seq).toBe(entries.length);
    expect(errors).toHaveLength(1);
  });

  it('drops the least recently used namespace past its node cap, and a model that missed an entry', async () => {
    const other = '00000000-0000-7000-8000-000000000001';
    const small = journal(50).map((e) => ({ ...e, ns: other }));
    const models = new TreeModels(1, (ns, after, limit) => Promise.resolve((ns === NS ? entries : small).slice(after, after + limit)));
    await models.catchUp(other, 50);
    await models.catchUp(NS, entries.length);
    expect(models.get(other)).toBeUndefined();
    expect(models.get(NS)).toBeDefined();
    models.apply({ ...entries.at(-1)!, seq: entries.length + 2 });
    expect(models.get(NS)).toBeUndefined();
  });

  it('brings a model to the journal head for a read without the lock, beside a locked catch-up, counting each node once', async () => {
    // A journal read that resolves only when released, to interleave the two folds.
    const gates: (() => void)[] = [];
    const slow = (_ns: string, after: number, limit: number) =>
      new Promise<JournalEntry[]>((resolve) => gates.push(() => resolve(entries.slice(after, after + limit))));
    /** Releases the journal reads asked so far, until `done` settles. */
    const drain = async (done: Promise<unknown>) => {
      let settled = false;
      void done.finally(() => (settled = true));
      while (!settled) {
        await new Promise((r) => setImmediate(r));
        gates.splice(0).forEach((go) => go());
      }
      return done;
    };
    const models = new TreeModels(10_000_000, slow);
    expect(await models.fresh(NS, () => Promise.resolve(100))).toBeNull(); // no model: the caller loads one under the lock
    await drain(models.catchUp(NS, 100));
    const head = 700;
    const read = models.fresh(NS, () => Promise.resolve(head));
    const locked = models.catchUp(NS, 600); // the lock holder folds the same entries meanwhile
    await drain(Promise.all([read, locked]));
    const m = await read;
    expect(m?.seq).toBe(head);
    expect(reads(m!, entries.slice(0, head))).toEqual(reads(fold(entries.slice(0, head)), entries.slice(0, head)));
    expect(models.nodeCount).toBe(m!.size);
  });

  it('keeps reads off a model a batch is planning into, and off one dropped meanwhile', async () => {
    const models = new TreeModels(10_000_000, reader([]));
    await models.catchUp(NS, 100);
    const done = models.planning(NS);
    const during = await models.fresh(NS, () => Promise.resolve(100));
    done();
    expect(during).toBeNull();
    expect((await models.fresh(NS, () => Promise.resolve(120)))?.seq).toBe(120);
    const dropped = models.fresh(NS, () => {
      models.drop(NS);
      return Promise.resolve(130);
    });
    expect(await dropped).toBeNull();
  });
});
