import { describe, expect, it } from 'vitest';
import { orphansOf, planPlacement, type Placed, type PlacementStep } from '../../client/src/sync/placement.js';
import { nameKey } from '../../src/shared/names.js';

const R = 'root';
const p = (id: string, parentId: string, name: string, kind: 'file' | 'folder' = 'file'): Placed => ({ id, parentId, name, kind });
const tree = (...ns: Placed[]): Map<string, Placed> => new Map(ns.map((n) => [n.id, n]));
const opts = { key: nameKey, tempName: (n: Placed, i: number) => `tmp-${n.id}-${i}` };

/** Plays the steps on `current` checking each is valid (parent exists, name free, no cycle); returns the result. */
function play(current: Map<string, Placed>, steps: PlacementStep[]): Map<string, Placed> {
  const s = new Map([...current].map(([k, v]) => [k, { ...v }]));
  const nameFree = (parentId: string, name: string, self: string): boolean =>
    ![...s.values()].some((n) => n.id !== self && n.parentId === parentId && nameKey(n.name) === nameKey(name));
  for (const st of steps) {
    if (st.type === 'delete') {
      for (const id of [st.id, ...st.removedIds]) expect(s.delete(id)).toBe(true);
      for (const n of s.values()) expect(n.parentId === st.id || st.removedIds.includes(n.parentId)).toBe(false);
      continue;
    }
    expect(st.parentId === R || s.get(st.parentId)?.kind === 'folder').toBe(true);
    expect(nameFree(st.parentId, st.name, st.id)).toBe(true);
    if (st.type === 'move') {
      for (let cur: string | undefined = st.parentId; cur && cur !== R; cur = s.get(cur)?.parentId) expect(cur).not.toBe(st.id);
      s.set(st.id, { ...s.get(st.id)!, parentId: st.parentId, name: st.name });
    } else {
      s.set(st.id, { id: st.id, parentId: st.parentId, name: st.name, kind: st.kind });
    }
  }
  return s;
}

describe('planPlacement: steps from one tree to another, each valid at its turn', () => {
  it('creates parents before children', () => {
    const target = tree(p('c', 'b', 'c.txt'), p('b', 'a', 'b', 'folder'), p('a', R, 'a', 'folder'));
    const steps = planPlacement(R, new Map(), target, opts);
    expect(steps.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(play(new Map(), steps)).toEqual(target);
  });

  it('swaps two names through a temporary name', () => {
    const current = tree(p('1', R, 'a.txt'), p('2', R, 'b.txt'));
    const target = tree(p('1', R, 'b.txt'), p('2', R, 'a.txt'));
    const steps = planPlacement(R, current, target, opts);
    expect(steps.filter((s) => s.type === 'move' && s.temp)).toHaveLength(1);
    expect(play(current, steps)).toEqual(target);
  });

  it('turns a parent and its child around without a cycle', () => {
    const current = tree(p('A', R, 'A', 'folder'), p('B', 'A', 'B', 'folder'));
    const target = tree(p('B', R, 'B', 'folder'), p('A', 'B', 'A', 'folder'));
    expect(play(current, planPlacement(R, current, target, opts))).toEqual(target);
  });

  it('moves survivors out of a deleted folder before deleting it, with the removed ids', () => {
    const current = tree(p('F', R, 'F', 'folder'), p('x', 'F', 'x'), p('y', 'F', 'y'), p('G', 'F', 'G', 'folder'), p('z', 'G', 'z'));
    const target = tree(p('y', R, 'y'));
    const steps = planPlacement(R, current, target, opts);
    expect(steps[0]).toEqual({ type: 'move', id: 'y', parentId: R, name: 'y', temp: false });
    expect(steps[1]).toMatchObject({ type: 'delete', id: 'F' });
    expect(new Set((steps[1] as { removedIds: string[] }).removedIds)).toEqual(new Set(['x', 'G', 'z']));
    expect(play(current, steps)).toEqual(target);
  });

  it('frees a name held by a folder that can only go once its child has left', () => {
    const current = tree(p('F', R, 'a', 'folder'), p('x', 'F', 'x'));
    const target = tree(p('x', R, 'a'));
    expect(play(current, planPlacement(R, current, target, opts))).toEqual(target);
  });

  it('deletes before a new node takes the name (no spurious conflicted copy)', () => {
    const current = tree(p('old', R, 'a.txt'));
    const target = tree(p('new', R, 'A.TXT'));
    const steps = planPlacement(R, current, target, opts);
    expect(steps.map((s) => s.type)).toEqual(['delete', 'create']);
  });

  it('rotates three names', () => {
    const current = tree(p('1', R, 'a'), p('2', R, 'b'), p('3', R, 'c'));
    const target = tree(p('1', R, 'b'), p('2', R, 'c'), p('3', R, 'a'));
    expect(play(current, planPlacement(R, current, target, opts))).toEqual(target);
  });

  it('finds orphans: nodes whose parent chain does not reach the root', () => {
    const t = tree(p('a', R, 'a', 'folder'), p('b', 'a', 'b'), p('c', 'gone', 'c', 'folder'), p('d', 'c', 'd'), p('e', 'b', 'e'));
    expect(orphansOf(R, t)).toEqual(new Set(['c', 'd', 'e']));
  });
});
