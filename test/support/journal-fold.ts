/** Test-side model of the journal: fold delta entries into a tree and compare with the server's. */
export interface FoldedNode {
  id: string;
  parentId: string;
  name: string;
  kind: string;
  size: number;
  contentHash: string | null;
  deleted: boolean;
}

/** The last state of every node, folding delta entries in order. */
export function foldDelta(entries: readonly FoldedNode[]): Map<string, FoldedNode> {
  const tree = new Map<string, FoldedNode>();
  for (const e of entries) {
    tree.set(e.id, { id: e.id, parentId: e.parentId, name: e.name, kind: e.kind, size: e.size, contentHash: e.contentHash, deleted: e.deleted });
  }
  return tree;
}

/** Live nodes as comparable, sorted rows. */
export function liveRows(nodes: Iterable<FoldedNode>): string[] {
  return [...nodes]
    .filter((n) => !n.deleted)
    .map((n) => `${n.id} ${n.parentId} ${n.kind} ${n.size} ${n.contentHash ?? '-'} ${n.name}`)
    .sort();
}

/** Every invariant of a tree: parents are live folders (or the root), no cycles, unique folded names. */
export function assertTree(live: Map<string, FoldedNode>, rootId: string): void {
  const keys = new Set<string>();
  for (const n of live.values()) {
    const key = `${n.parentId}/${n.name.normalize('NFC').toUpperCase().toLowerCase()}`;
    if (keys.has(key)) throw new Error(`two live nodes named ${n.name} in ${n.parentId}`);
    keys.add(key);
    const seen = new Set<string>();
    let cur = n;
    while (cur.parentId !== rootId) {
      if (seen.has(cur.id)) throw new Error(`cycle at ${cur.id}`);
      seen.add(cur.id);
      const parent = live.get(cur.parentId);
      if (!parent) throw new Error(`${cur.id} has no live parent ${cur.parentId}`);
      if (parent.kind !== 'folder') throw new Error(`${cur.id}'s parent is a file`);
      cur = parent;
    }
  }
}
