import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/common/errors/app-error.js';
import { uuidv7 } from '../../../src/shared/ids.js';
import type { Plan } from '../../../src/modules/namespace/planner/plan.js';
import { blockOf, DAY_MS, PlannerWorld } from './planner-world.js';

/*
 * The planner carrying decisions out, over the in-memory tree: what each operation writes
 * (which nodes, where, under which name, what goes to the trash), which conflicts it
 * records, and which errors it refuses with. The rules themselves are table-tested in
 * test/unit/conflict-policy.spec.ts; these check that the planner does what they decide.
 */

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'OK';
}

function written(plan: Plan): Extract<Plan, { kind: 'write' }> {
  if (plan.kind !== 'write') throw new Error(`expected a write, got a no-op on ${plan.node.id}`);
  return plan;
}

const kinds = (plan: Plan): string[] => written(plan).conflicts.map((c) => c.kind);

/** A folder holding a file deleted on its own (`early`) and one still live (`later`). */
async function folderWithEarlierDelete(w: PlannerWorld): Promise<{ dir: string; early: string; later: string }> {
  const dir = await w.folder('dir');
  const early = await w.file('early', 'e', dir);
  const later = await w.file('later', 'll', dir);
  await w.run({ type: 'delete', id: early });
  return { dir, early, later };
}

describe('planner: create', () => {
  it('a folder at the root: one change, with its path', async () => {
    const w = new PlannerWorld();
    const plan = written(await w.run({ type: 'createFolder', name: 'Photos' }));
    expect(plan.opKind).toBe('folder.create');
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ name: 'Photos', kind: 'folder', parentId: w.ns, path: '/Photos', rev: 1, createdSeq: 1 });
  });

  it('the same create with the same id again changes nothing (a retry)', async () => {
    const w = new PlannerWorld();
    const id = uuidv7();
    await w.run({ type: 'createFolder', id, name: 'a' });
    const again = await w.run({ type: 'createFolder', id, name: 'a' });
    expect(again.kind).toBe('noop');
    expect(w.head).toBe(1);
    expect(await codeOf(w.run({ type: 'createFolder', id, name: 'b' }))).toBe('ID_TAKEN');
  });

  it.each([
    { autorename: true, code: 'OK', names: ['Doc', 'doc (conflicted copy dev-B)'] },
    { autorename: false, code: 'NAME_TAKEN', names: ['Doc'] },
  ])('a taken name (case-insensitively), autorename $autorename: $code', async ({ autorename, code, names }) => {
    const w = new PlannerWorld();
    await w.folder('Doc');
    const result = w.run({ type: 'createFolder', name: 'doc', autorename }, 'B');
    expect(await codeOf(result)).toBe(code);
    expect(w.names()).toEqual(names);
    if (code === 'OK') expect(kinds(await result)).toEqual(['NAME_COLLISION']);
  });

  it('NAME_TAKEN names the node holding the name, with its path', async () => {
    const w = new PlannerWorld();
    const docs = await w.folder('Docs');
    const holder = await w.file('a.txt', 'x', docs);
    const err = await w.run({ type: 'createFolder', path: '/Docs/A.TXT', autorename: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details).toMatchObject({ current: { id: holder, path: '/Docs/a.txt', kind: 'file' } });
  });

  it('into a deleted folder: the folder chain comes back, with PARENT_RESTORED', async () => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const b = await w.folder('b', a);
    const base = w.head;
    await w.run({ type: 'delete', id: a }, 'B');
    const plan = written(await w.run({ type: 'createFolder', name: 'c', parentId: b }, 'A', base));
    expect(kinds(plan)).toEqual(['PARENT_RESTORED']);
    expect(plan.changes.map((c) => c.path)).toEqual(['/a/b/c', '/a', '/a/b']);
    expect(w.node(a).deleted).toBe(false);
    expect(w.node(b).deleted).toBe(false);
  });

  it.each([
    [{ path: '/' }, 'INVALID_PATH'],
    [{ path: '/x', name: 'y' }, 'INVALID_PATH'],
    [{ name: 'a/b' }, 'INVALID_NAME'],
    [{ name: 'x', parentId: 'not-an-id' }, 'INVALID_ID'],
    [{ name: 'x', parentId: uuidv7() }, 'PARENT_NOT_FOUND'],
    [{ path: '/missing/x' }, 'PARENT_NOT_FOUND'],
  ])('refuses %o with %s', async (where, code) => {
    const w = new PlannerWorld();
    expect(await codeOf(w.run({ type: 'createFolder', ...where }))).toBe(code);
    expect(w.head).toBe(0);
  });
});

describe('planner: commit and edit', () => {
  it('a new file adds its size to the usage; a new version adds the difference', async () => {
    const w = new PlannerWorld();
    const first = written(await w.run(w.commitOf('hello', { name: 'a.txt' })));
    expect(first).toMatchObject({ opKind: 'file.commit', usageDelta: 5 });
    const id = first.changes[0]!.id;
    const second = written(await w.run(w.commitOf('hi', { id })));
    expect(second.usageDelta).toBe(-3);
    expect(w.node(id)).toMatchObject({ size: 2, contentSeq: 2, contentDev: 'A', blocks: [blockOf('hi').hash] });
  });

  it('by path onto a file the device knew: a new version of it', async () => {
    const w = new PlannerWorld();
    const id = await w.file('a.txt', 'one');
    const plan = written(await w.run(w.commitOf('two', { path: '/a.txt' })));
    expect(plan.changes[0]!.id).toBe(id);
    expect(w.names()).toEqual(['a.txt']);
  });

  it('by path onto a file the device had not seen: a different file, renamed beside it', async () => {
    const w = new PlannerWorld();
    const base = w.head;
    await w.file('a.txt', 'theirs', undefined);
    const plan = written(await w.run(w.commitOf('mine', { path: '/a.txt' }), 'B', base));
    expect(kinds(plan)).toEqual(['NAME_COLLISION']);
    expect(w.names()).toEqual(['a (conflicted copy dev-B).txt', 'a.txt']);
  });

  it('blocks the user does not hold, or of the wrong size, are refused before anything is written', async () => {
    const w = new PlannerWorld();
    const b = blockOf('abc');
    expect(await codeOf(w.run({ type: 'commit', name: 'x', blocks: [b.hash], size: 3 }))).toBe('BLOCKS_MISSING');
    w.held.set(b.hash, 2);
    expect(await codeOf(w.run({ type: 'commit', name: 'x', blocks: [b.hash], size: 3 }))).toBe('BLOCKS_MISMATCH');
    expect(w.head).toBe(0);
  });

  it('the same content again is a no-op, even unseen', async () => {
    const w = new PlannerWorld();
    const id = await w.file('a.txt', 'same');
    expect((await w.run(w.commitOf('same', { id }), 'B', 0)).kind).toBe('noop');
  });

  it('an edit of a file edited meanwhile lands as a conflicted copy (EDIT_EDIT); the server version keeps the name', async () => {
    const w = new PlannerWorld();
    const id = await w.file('notes.txt', 'v1');
    const base = w.head;
    await w.run(w.commitOf('v2 from A', { id }), 'A');
    const plan = written(await w.run(w.commitOf('v2 from B', { id }), 'B', base));
    expect(kinds(plan)).toEqual(['EDIT_EDIT']);
    expect(plan.changes[0]!.id).toBe(id);
    expect(w.node(id).blocks).toEqual([blockOf('v2 from A').hash]);
    const copy = w.node(plan.changes[1]!.id);
    expect(copy.name).toBe('notes (conflicted copy dev-B 2026-06-01).txt');
    expect(copy).toMatchObject({ contentDev: null, blocks: [blockOf('v2 from B').hash], parentId: w.ns });
  });

  it('an edit of a file deleted meanwhile brings it back where it was, with its folders (EDIT_RESTORED)', async () => {
    const w = new PlannerWorld();
    const dir = await w.folder('dir');
    const id = await w.file('f.txt', 'v1', dir);
    const base = w.head;
    await w.run({ type: 'delete', id: dir }, 'A');
    const plan = written(await w.run(w.commitOf('v2', { id }), 'B', base));
    expect(kinds(plan)).toEqual(['EDIT_RESTORED']);
    expect(plan.usageDelta).toBe(2);
    expect(w.node(id)).toMatchObject({ deleted: false, parentId: dir, trashRootId: null });
    expect(w.node(dir).deleted).toBe(false);
  });

  it('restoreRevision makes an old version current again (an edit, a new contentSeq)', async () => {
    const w = new PlannerWorld();
    const id = await w.file('a', 'one');
    await w.run(w.commitOf('two!', { id }));
    const plan = written(await w.run({ type: 'restoreRevision', id, revision: 1 }));
    expect(plan).toMatchObject({ opKind: 'revision.restore', usageDelta: -1 });
    expect(w.node(id)).toMatchObject({ size: 3, contentSeq: 3, blocks: [blockOf('one').hash] });
    expect(await codeOf(w.run({ type: 'restoreRevision', id, revision: 99 }))).toBe('REVISION_NOT_FOUND');
  });
});

describe('planner: move', () => {
  it('moves and renames; the location fields move to this seq', async () => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const f = await w.file('f', 'x');
    const plan = written(await w.run({ type: 'move', id: f, parentId: a, name: 'g' }));
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ path: '/a/g', locationSeq: 3, locationDev: 'A' });
  });

  it.each([
    ['into itself', (a: string, _b: string) => a, 'MOVE_INTO_ITSELF'],
    ['into its own child', (_a: string, b: string) => b, 'MOVE_INTO_ITSELF'],
  ])('a folder %s is refused', async (_label, target, code) => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const b = await w.folder('b', a);
    expect(await codeOf(w.run({ type: 'move', id: a, parentId: target(a, b) }))).toBe(code);
  });

  it('a rename back onto a taken name whose collision name is the node\'s own is journaled, not dropped (soak seed 841147859)', async () => {
    const w = new PlannerWorld();
    await w.folder('Z');
    const copy = await w.folder('z (conflicted copy dev-B)');
    const plan = written(await w.run({ type: 'move', id: copy, name: 'z' }, 'B'));
    expect(kinds(plan)).toEqual(['NAME_COLLISION']);
    expect(plan.changes).toEqual([expect.objectContaining({ id: copy, name: 'z (conflicted copy dev-B)', path: '/z (conflicted copy dev-B)' })]);
    expect(w.names()).toEqual(['Z', 'z (conflicted copy dev-B)']);
  });

  it('the root cannot move', async () => {
    const w = new PlannerWorld();
    expect(await codeOf(w.run({ type: 'move', id: w.ns, name: 'x' }))).toBe('ROOT_IMMUTABLE');
  });

  it('a move of a node moved meanwhile is skipped (MOVE_MOVE) and re-sends the subtree', async () => {
    const w = new PlannerWorld();
    const [x, y, a] = [await w.folder('x'), await w.folder('y'), await w.folder('a')];
    const inner = await w.file('in', 'z', a);
    const base = w.head;
    await w.run({ type: 'move', id: a, parentId: x }, 'A');
    const plan = written(await w.run({ type: 'move', id: a, parentId: y }, 'B', base));
    expect(kinds(plan)).toEqual(['MOVE_MOVE']);
    expect(plan.changes.map((c) => c.id).sort()).toEqual([a, inner].sort());
    expect(w.node(a).parentId).toBe(x);
  });

  it('two unseen moves that would make a cycle: the second is skipped (MOVE_CYCLE)', async () => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const b = await w.folder('b');
    const base = w.head;
    await w.run({ type: 'move', id: b, parentId: a }, 'A');
    const plan = written(await w.run({ type: 'move', id: a, parentId: b }, 'B', base));
    expect(kinds(plan)).toEqual(['MOVE_CYCLE']);
    expect(w.node(a).parentId).toBe(w.ns);
  });

  it('renaming a node deleted meanwhile brings it back with what the same delete removed, not what was deleted before', async () => {
    const w = new PlannerWorld();
    const { dir, early, later } = await folderWithEarlierDelete(w);
    const base = w.head;
    await w.run({ type: 'delete', id: dir }, 'A');
    const plan = written(await w.run({ type: 'move', id: dir, name: 'renamed' }, 'B', base));
    expect(kinds(plan)).toEqual(['MOVE_RESTORED']);
    expect(plan.usageDelta).toBe(2);
    expect(w.names()).toEqual(['renamed']);
    expect(w.node(later).deleted).toBe(false);
    expect(w.node(early)).toMatchObject({ deleted: true, trashRootId: early });
  });
});

describe('planner: delete and restore', () => {
  it('a folder goes to the trash with its subtree, all under the folder as trash root', async () => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const b = await w.folder('b', a);
    const f = await w.file('f', 'four', b);
    const plan = written(await w.run({ type: 'delete', id: a }));
    expect(plan.usageDelta).toBe(-4);
    for (const id of [a, b, f]) expect(w.node(id)).toMatchObject({ deleted: true, trashRootId: a, deletedSeq: 4 });
    expect(w.model.trashRoots(10, null).map((n) => n.id)).toEqual([a]);
  });

  it('a folder with something changed inside that the device had not seen: only what it saw goes (DELETE_PARTIAL)', async () => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const old = await w.file('old', 'o', a);
    const keep = await w.file('keep', 'k', a);
    const base = w.head;
    await w.run(w.commitOf('edited', { id: keep }), 'A');
    const plan = written(await w.run({ type: 'delete', id: a, removedIds: [old, keep] }, 'B', base));
    expect(kinds(plan)).toEqual(['DELETE_PARTIAL']);
    expect(w.node(old)).toMatchObject({ deleted: true, trashRootId: old });
    expect(w.node(keep).deleted).toBe(false);
    expect(w.node(a).deleted).toBe(false);
  });

  it('deleting a file edited meanwhile loses (DELETE_STALE) and re-sends it', async () => {
    const w = new PlannerWorld();
    const f = await w.file('f', 'v1');
    const base = w.head;
    await w.run(w.commitOf('v2', { id: f }), 'A');
    const plan = written(await w.run({ type: 'delete', id: f }, 'B', base));
    expect(kinds(plan)).toEqual(['DELETE_STALE']);
    expect(plan.changes.map((c) => c.id)).toEqual([f]);
    expect(w.node(f).deleted).toBe(false);
  });

  it('deleting what is already deleted is a no-op, unless the device removed something still live', async () => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const f = await w.file('f', 'x', a);
    await w.run({ type: 'move', id: f, parentId: w.ns });
    await w.run({ type: 'delete', id: a });
    expect((await w.run({ type: 'delete', id: a })).kind).toBe('noop');
    const plan = written(await w.run({ type: 'delete', id: a, removedIds: [f] }, 'B', 2));
    expect(plan.changes.map((c) => c.id)).toEqual([a, f]);
    expect(w.node(f).deleted).toBe(false);
  });

  it('restore brings back what the same delete removed; things deleted earlier stay, as their own trash roots', async () => {
    const w = new PlannerWorld();
    const { dir, early, later } = await folderWithEarlierDelete(w);
    await w.run({ type: 'delete', id: dir });
    const plan = written(await w.run({ type: 'restore', id: dir }));
    expect(plan).toMatchObject({ opKind: 'node.restore', usageDelta: 2 });
    expect(w.node(later).deleted).toBe(false);
    expect(w.node(early)).toMatchObject({ deleted: true, trashRootId: early });
    expect(w.model.trashRoots(10, null).map((n) => n.id)).toEqual([early]);
  });

  it.each([
    ['a live node', 'NOT_IN_TRASH'],
    ['a node inside a deleted folder, to its old place', 'PARENT_DELETED'],
  ])('restore of %s is refused with %s', async (label, code) => {
    const w = new PlannerWorld();
    const a = await w.folder('a');
    const f = await w.file('f', 'x', a);
    if (label.startsWith('a node inside')) {
      await w.run({ type: 'delete', id: f });
      await w.run({ type: 'delete', id: a });
    }
    expect(await codeOf(w.run({ type: 'restore', id: f }))).toBe(code);
  });
});

describe('planner: resolving a conflict', () => {
  async function editEdit(): Promise<{ w: PlannerWorld; id: string; copy: string; conflict: { id: string; kind: string; nodeIds: string[] } }> {
    const w = new PlannerWorld();
    const id = await w.file('n.txt', 'base');
    const base = w.head;
    await w.run(w.commitOf('theirs', { id }), 'A');
    const plan = written(await w.run(w.commitOf('mine!', { id }), 'B', base));
    return { w, id, copy: plan.changes[1]!.id, conflict: w.conflicts[0]! };
  }

  it('keepMine: the copy’s content becomes the file’s, the copy goes to the trash', async () => {
    const { w, id, copy, conflict } = await editEdit();
    const plan = written(await w.resolve(conflict, 'keepMine', 'B'));
    expect(plan.resolved).toEqual([{ conflictId: conflict.id, resolution: 'keepMine' }]);
    expect(plan.usageDelta).toBe(-6);
    expect(w.node(id).blocks).toEqual([blockOf('mine!').hash]);
    expect(w.node(copy)).toMatchObject({ deleted: true, trashRootId: copy });
  });

  it('keepTheirs trashes the copy; keepBoth changes nothing but is recorded', async () => {
    const theirs = await editEdit();
    written(await theirs.w.resolve(theirs.conflict, 'keepTheirs'));
    expect(theirs.w.node(theirs.copy).deleted).toBe(true);
    const both = await editEdit();
    const plan = written(await both.w.resolve(both.conflict, 'keepBoth'));
    expect(plan.usageDelta).toBe(0);
    expect(both.w.names()).toHaveLength(2);
  });

  it('a resolution that does not fit the kind is refused', async () => {
    const { w, conflict } = await editEdit();
    expect(await codeOf(w.resolve(conflict, 'acknowledge'))).toBe('RESOLUTION_NOT_APPLICABLE');
  });
});

describe('planner: purge', () => {
  it('ends expired trash with what the same delete removed, keeps newer trash, and drops versions replaced before the cutoff', async () => {
    const w = new PlannerWorld();
    const start = w.now;
    const a = await w.folder('a');
    const f = await w.file('f', 'v1', a);
    const kept = await w.file('kept', 'k1');
    await w.run(w.commitOf('k2', { id: kept }));
    await w.run({ type: 'delete', id: a });
    w.now = new Date(start.getTime() + 40 * DAY_MS);
    const fresh = await w.file('fresh', 'fr');
    await w.run({ type: 'delete', id: fresh });
    const plan = await w.purge(new Date(start.getTime() + 30 * DAY_MS), new Date(start.getTime() + 1));
    expect(plan.changes.map((c) => c.id).sort()).toEqual([a, f].sort());
    for (const c of plan.changes) expect(c).toMatchObject({ purged: true, blocks: [], rev: w.node(c.id).rev });
    expect(plan.purgedRevisions.sort()).toEqual([`${f}:2`, `${kept}:3`].sort());
    expect(w.node(fresh)).toMatchObject({ deleted: true });
    expect(w.node(fresh).purged ?? false).toBe(false);
    expect(w.model.revisionsOf(kept).map((r) => r.seq)).toEqual([4]);
    // Purged once is purged: a second pass finds nothing.
    expect(await w.purge(new Date(start.getTime() + 30 * DAY_MS), new Date(start.getTime() + 1))).toEqual({ changes: [], purgedRevisions: [], more: false });
  });

  it('plans at most `limit` nodes and versions an entry, the trash root after what went with it, until nothing is left', async () => {
    const w = new PlannerWorld();
    const start = w.now;
    const a = await w.folder('a');
    const inside: string[] = [];
    for (let i = 0; i < 12; i++) inside.push(await w.file(`f${i}`, `v${i}`, a)); // 12 nodes, 12 versions
    const old = await w.file('old', 'o1');
    await w.run(w.commitOf('o2', { id: old }));
    await w.run(w.commitOf('o3', { id: old })); // two replaced versions
    await w.run({ type: 'delete', id: a });
    w.now = new Date(start.getTime() + 40 * DAY_MS);
    const cut = new Date(start.getTime() + 30 * DAY_MS);
    const plans: Awaited<ReturnType<typeof w.purge>>[] = [];
    for (let more = true; more; ) {
      const plan = await w.purge(cut, cut, 5);
      plans.push(plan);
      more = plan.more;
      expect(plan.changes.length + plan.purgedRevisions.length).toBeLessThanOrEqual(6); // a node and its one version may cross the line
      expect(plan.changes.length + plan.purgedRevisions.length).toBeGreaterThan(0);
      // Until the root goes, it stays an expired root: what is left below it is found again.
      if (!plan.changes.some((c) => c.id === a)) expect(w.node(a).purged ?? false).toBe(false);
    }
    expect(plans.length).toBeGreaterThan(4);
    const purged = plans.flatMap((p) => p.changes.map((c) => c.id));
    expect(purged.sort()).toEqual([a, ...inside].sort());
    expect(plans.flatMap((p) => p.changes).findIndex((c) => c.id === a)).toBe(purged.length - 1);
    expect(new Set(plans.flatMap((p) => p.purgedRevisions)).size).toBe(12 + 2);
    expect(w.model.revisionsOf(old).map((r) => r.seq)).toEqual([w.node(old).contentSeq]);
    // The same as one unbounded pass would have done: nothing left.
    expect(await w.purge(cut, cut)).toEqual({ changes: [], purgedRevisions: [], more: false });
  });

  it('a trash root restored between two bounded purge entries comes back with its folders; purged files stay tombstones', async () => {
    const w = new PlannerWorld();
    const start = w.now;
    const a = await w.folder('a');
    const sub = await w.folder('sub', a);
    const files: string[] = [];
    for (let i = 0; i < 6; i++) files.push(await w.file(`f${i}`, `x${i}`, sub));
    await w.run({ type: 'delete', id: a });
    w.now = new Date(start.getTime() + 40 * DAY_MS);
    const first = await w.purge(new Date(start.getTime() + 30 * DAY_MS), new Date(0), 4);
    expect(first.more).toBe(true);
    expect(first.changes.map((c) => c.id)).not.toContain(a);
    await w.run({ type: 'restore', id: a });
    expect(w.node(a).deleted).toBe(false);
    expect(w.node(sub).deleted).toBe(false);
    for (const f of files) expect(w.node(f).deleted).toBe(!!w.node(f).purged);
    expect(files.filter((f) => w.node(f).purged).length).toBe(first.changes.filter((c) => files.includes(c.id)).length);
    // Nothing restored is purged by the next pass.
    expect((await w.purge(new Date(start.getTime() + 30 * DAY_MS), new Date(0), 4)).changes).toEqual([]);
  });

  it('a purged file inside a folder stays in the trash when the folder is restored; the folder comes back', async () => {
    const w = new PlannerWorld();
    const start = w.now;
    const a = await w.folder('a');
    const f = await w.file('f', 'x', a);
    await w.run({ type: 'delete', id: a });
    await w.purge(new Date(start.getTime() + 1), new Date(0));
    expect(await codeOf(w.run({ type: 'restore', id: a }))).toBe('PURGED');
    expect(await codeOf(w.run({ type: 'move', id: f, parentId: w.ns }))).toBe('PURGED');
  });
});
