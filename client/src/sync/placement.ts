import type { NodeKind } from '../sdk/types.js';

/** A node's place in a tree: enough to plan how to get from one tree to another. */
export interface Placed {
  id: string;
  parentId: string;
  name: string;
  kind: NodeKind;
}

export type PlacementStep =
  | { type: 'create'; id: string; parentId: string; name: string; kind: NodeKind }
  /** `temp`: a detour under a temporary name, to free a name another node needs first (a swap). */
  | { type: 'move'; id: string; parentId: string; name: string; temp: boolean }
  /** `removedIds`: the descendants it removes with it (for a folder). */
  | { type: 'delete'; id: string; removedIds: string[] };

export interface PlacementOptions {
  /** The key under which two names in one folder collide (the server's nameKey). */
  key: (name: string) => string;
  /** A temporary name for `node` (attempt 0, 1, …) when a swap or cycle of names needs one. */
  tempName: (node: Placed, attempt: number) => string;
}

/**
 * Plans the steps that turn tree `current` into tree `target` (both maps of every live node but
 * the root), each step valid at its turn: a parent exists before its children are put in it, a
 * node never moves into its own subtree, a name is free when it is taken (swaps go through a
 * temporary name), and a folder is deleted only after what survives of it has moved out.
 * Used both ways: local changes → server operations, and remote changes → file-system steps.
 *
 * A name collision that exists in `target` itself (two local names equal under the key, on a
 * case-sensitive disk) is planned as is: the server renames one (rule 10).
 */
export function planPlacement(
  rootId: string,
  current: ReadonlyMap<string, Placed>,
  target: ReadonlyMap<string, Placed>,
  opts: PlacementOptions,
): PlacementStep[] {
  const steps: PlacementStep[] = [];
  const S = new Map<string, Placed>();
  const kids = new Map<string, Set<string>>();
  // Who holds each (parent, name key): a folder of 50,000 files is not searched for every name.
  const holders = new Map<string, Set<string>>();
  const slot = (parentId: string, name: string): string => `${parentId}/${opts.key(name)}`;
  const add = <K>(m: Map<K, Set<string>>, k: K, id: string): void => {
    const set = m.get(k);
    if (set) set.add(id);
    else m.set(k, new Set([id]));
  };
  const link = (n: Placed): void => {
    S.set(n.id, n);
    add(kids, n.parentId, n.id);
    add(holders, slot(n.parentId, n.name), n.id);
  };
  const unlink = (id: string): void => {
    const n = S.get(id);
    if (!n) return;
    kids.get(n.parentId)?.delete(id);
    holders.get(slot(n.parentId, n.name))?.delete(id);
    S.delete(id);
  };
  for (const n of current.values()) link({ ...n });

  const occupant = (parentId: string, name: string, self: string): string | null => {
    for (const c of holders.get(slot(parentId, name)) ?? []) if (c !== self) return c;
    return null;
  };
  const isAncestorOrSelf = (a: string, b: string): boolean => {
    let cur: string | undefined = b;
    for (let i = 0; cur !== undefined && cur !== rootId && i < 100_000; i++) {
      if (cur === a) return true;
      cur = S.get(cur)?.parentId;
    }
    return false;
  };
  const descendants = (id: string): string[] => {
    const out: string[] = [];
    const stack = [id];
    while (stack.length) {
      for (const c of kids.get(stack.pop()!) ?? []) {
        out.push(c);
        stack.push(c);
      }
    }
    return out;
  };
  const depthIn = (tree: ReadonlyMap<string, Placed>, id: string): number => {
    let d = 0;
    for (let cur = tree.get(id); cur && cur.parentId !== rootId && d < 100_000; cur = tree.get(cur.parentId)) d++;
    return d;
  };
  const byPath = (tree: ReadonlyMap<string, Placed>) => (a: string, b: string) =>
    depthIn(tree, a) - depthIn(tree, b) || (tree.get(a)!.name < tree.get(b)!.name ? -1 : tree.get(a)!.name > tree.get(b)!.name ? 1 : a < b ? -1 : 1);

  const toPlace = new Set<string>();
  for (const t of target.values()) {
    const s = S.get(t.id);
    if (!s || s.parentId !== t.parentId || s.name !== t.name) toPlace.add(t.id);
  }
  const toDelete = new Set([...S.keys()].filter((id) => !target.has(id)));
  const placeOrder = [...toPlace].sort(byPath(target));
  const deleteOrder = [...toDelete].sort(byPath(current));
  let temps = 0;

  for (let round = 0; toPlace.size > 0 || toDelete.size > 0; round++) {
    if (round > 4 * (placeOrder.length + deleteOrder.length) + 10) throw new Error('placement does not converge');
    let progress = false;
    const blocked: string[] = [];
    for (const id of placeOrder) {
      if (!toPlace.has(id)) continue;
      const t = target.get(id)!;
      if (t.parentId !== rootId && !S.has(t.parentId)) continue;
      if (S.has(id) && isAncestorOrSelf(id, t.parentId)) continue;
      const occ = occupant(t.parentId, t.name, id);
      if (occ !== null && (toPlace.has(occ) || toDelete.has(occ))) {
        blocked.push(occ);
        continue;
      }
      if (S.has(id)) steps.push({ type: 'move', id, parentId: t.parentId, name: t.name, temp: false });
      else steps.push({ type: 'create', id, parentId: t.parentId, name: t.name, kind: t.kind });
      unlink(id);
      link({ ...t });
      toPlace.delete(id);
      progress = true;
    }
    for (const id of deleteOrder) {
      if (!toDelete.has(id) || !S.has(id)) continue;
      const desc = descendants(id);
      if (desc.some((d) => target.has(d))) continue;
      steps.push({ type: 'delete', id, removedIds: desc });
      for (const d of [id, ...desc]) {
        unlink(d);
        toDelete.delete(d);
      }
      progress = true;
    }
    if (progress) continue;
    // Stuck: a name is held by a node that must itself move (or go) first — a swap, or a node
    // that waits for a folder which waits for the name. Park the holder under a temporary name.
    const holder = blocked.find((occ) => S.has(occ));
    if (holder === undefined) throw new Error('placement is stuck');
    const h = S.get(holder)!;
    let name = opts.tempName(h, temps++);
    while (occupant(h.parentId, name, h.id) !== null) name = opts.tempName(h, temps++);
    steps.push({ type: 'move', id: h.id, parentId: h.parentId, name, temp: true });
    unlink(h.id);
    link({ ...h, name });
    if (target.has(h.id)) toPlace.add(h.id);
  }
  return steps;
}

/** Nodes of `tree` whose parent chain does not reach the root through folders (their folder is gone, or a file). */
export function orphansOf(rootId: string, tree: ReadonlyMap<string, Placed>): Set<string> {
  const ok = new Map<string, boolean>();
  const check = (id: string): boolean => {
    const chain: string[] = [];
    let cur = id;
    let good = false;
    for (;;) {
      if (cur === rootId) {
        good = true;
        break;
      }
      const n = tree.get(cur);
      // Above the first node, every link must be a folder.
      if (!n || chain.includes(cur) || (chain.length > 0 && n.kind !== 'folder')) break;
      const cached = ok.get(cur);
      if (cached !== undefined) {
        good = cached;
        break;
      }
      chain.push(cur);
      cur = n.parentId;
    }
    for (const c of chain) if (!ok.has(c)) ok.set(c, good);
    return good;
  };
  const out = new Set<string>();
  for (const id of tree.keys()) if (!check(id)) out.add(id);
  return out;
}
