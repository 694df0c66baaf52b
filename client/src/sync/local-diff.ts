import type { FileHash } from '../sdk/blocks.js';
import type { NodeKind } from '../sdk/types.js';
import type { LocalNode, LocalOp } from '../state/store.js';
import { planPlacement, type Placed, type PlacementOptions } from './placement.js';

/** What the scan saw of one entry of the synced folder. */
export interface Observed {
  /** Relative path with '/' separators, e.g. "Photos/cat.jpg". */
  path: string;
  /** The parent folder's relative path ('' for the top level). */
  parent: string;
  name: string;
  kind: NodeKind;
  ino: number;
  /** Birth time (0 where the file system has none): with the inode, the file's identity. */
  birthMs: number;
  size: number;
  mtimeMs: number;
  /** Filled in for the files the scan had to hash (see `filesToHash`). */
  hash?: FileHash;
}

export interface Match {
  /** Disk path → the known node it is. */
  byPath: Map<string, string>;
  /** Disk files that are not matched yet (new, or renamed without keeping their inode). */
  unmatched: Observed[];
  /** Known nodes not found on disk (deleted, or renamed without keeping their inode). */
  missing: Set<string>;
}

/** The relative path of every known node (folders and files), computed from the parent chain. */
export function knownPaths(rootId: string, known: ReadonlyMap<string, LocalNode>): Map<string, string> {
  const paths = new Map<string, string>();
  const pathOf = (id: string, depth = 0): string | null => {
    if (id === rootId) return '';
    const cached = paths.get(id);
    if (cached !== undefined) return cached;
    const n = known.get(id);
    if (!n || depth > 10_000) return null;
    const parent = pathOf(n.parentId, depth + 1);
    if (parent === null) return null;
    const p = parent === '' ? n.name : `${parent}/${n.name}`;
    paths.set(id, p);
    return p;
  };
  for (const id of known.keys()) pathOf(id);
  return paths;
}

const identity = (ino: number | null, birthMs: number | null): string | null =>
  ino === null || ino === 0 ? null : birthMs ? `${ino}:${Math.round(birthMs)}` : `${ino}`;

/** The stat recorded for a node still describes the file: same inode, size and mtime, and not racily recent. */
export function statUnchanged(n: LocalNode, o: Pick<Observed, 'ino' | 'size' | 'mtimeMs'>): boolean {
  return !n.racy && n.statSize === o.size && n.statMtimeMs === o.mtimeMs && n.ino === o.ino;
}

/**
 * Pairs disk entries with known nodes without reading any content: first by identity (inode and
 * birth time — a rename or move keeps them), then by path (an editor that saves through a temp
 * file changes the inode, not the path).
 */
export function matchWithoutContent(rootId: string, known: ReadonlyMap<string, LocalNode>, observed: readonly Observed[]): Match {
  const paths = knownPaths(rootId, known);
  const idAtPath = new Map<string, string>();
  for (const [id, p] of paths) idAtPath.set(p, id);
  const byIdentity = new Map<string, string>();
  for (const n of known.values()) {
    const key = identity(n.ino, n.birthMs);
    if (key && paths.has(n.id)) byIdentity.set(`${n.kind}:${key}`, n.id);
  }
  const byPath = new Map<string, string>();
  const used = new Set<string>();
  for (const o of observed) {
    const key = identity(o.ino, o.birthMs);
    const id = key ? byIdentity.get(`${o.kind}:${key}`) : undefined;
    if (id === undefined || used.has(id)) continue;
    const n = known.get(id)!;
    // Without a birth time an inode may have been reused by a new file: ask for more evidence.
    if (!o.birthMs && o.kind === 'file' && !(n.statSize === o.size && n.statMtimeMs === o.mtimeMs)) continue;
    byPath.set(o.path, id);
    used.add(id);
  }
  for (const o of observed) {
    if (byPath.has(o.path)) continue;
    const id = idAtPath.get(o.path);
    if (id === undefined || used.has(id) || known.get(id)!.kind !== o.kind) continue;
    const n = known.get(id)!;
    // Its own inode is elsewhere on disk: that other entry is the node, this one is new.
    const key = identity(n.ino, n.birthMs);
    if (key && observed.some((x) => x.path !== o.path && identity(x.ino, x.birthMs) === key && x.kind === n.kind)) continue;
    byPath.set(o.path, id);
    used.add(id);
  }
  return {
    byPath,
    unmatched: observed.filter((o) => o.kind === 'file' && !byPath.has(o.path)),
    missing: new Set([...paths.keys()].filter((id) => !used.has(id))),
  };
}

/** The files whose content the scan must read: changed since last seen, or not matched to a known node. */
export function filesToHash(rootId: string, known: ReadonlyMap<string, LocalNode>, observed: readonly Observed[]): Observed[] {
  const m = matchWithoutContent(rootId, known, observed);
  return observed.filter((o) => {
    if (o.kind !== 'file') return false;
    const id = m.byPath.get(o.path);
    if (id === undefined) return true;
    return !statUnchanged(known.get(id)!, o);
  });
}

export interface LocalDiff {
  /** The folder as a tree of ids: known ids where matched, fresh ones for new entries. */
  target: Map<string, Placed>;
  /** The new local state of every node on disk. */
  nodes: Map<string, LocalNode>;
  /** Files whose content differs from what was known (new files included): id → content. */
  content: Map<string, FileHash & { mtimeMs: number }>;
  /** Ids minted for new entries. */
  created: Set<string>;
  /** Renames recognized only by content (delete + create of the same bytes): new path → id. */
  movedByContent: Map<string, string>;
}

/**
 * Turns what the scan saw into the folder's new state, recognizing moves: by identity, by path,
 * and — for a file that disappeared in one place and appeared in another with a new inode (a copy
 * and delete, another tool's "move") — by content hash. `observed` must be sorted parents first,
 * with the files of `filesToHash` hashed.
 */
export function diffLocal(
  rootId: string,
  known: ReadonlyMap<string, LocalNode>,
  observed: readonly Observed[],
  mintId: () => string,
  scanStartedMs: number,
): LocalDiff {
  const m = matchWithoutContent(rootId, known, observed);
  const movedByContent = new Map<string, string>();
  // Files that appeared, matched to files that disappeared with the same content.
  const missingByHash = new Map<string, string[]>();
  for (const id of m.missing) {
    const n = known.get(id)!;
    if (n.kind !== 'file' || !n.contentHash) continue;
    const list = missingByHash.get(n.contentHash) ?? [];
    list.push(id);
    missingByHash.set(n.contentHash, list);
  }
  for (const o of m.unmatched) {
    const list = o.hash ? missingByHash.get(o.hash.contentHash) : undefined;
    if (!list || list.length === 0) continue;
    // Prefer the one that had the same name (a move), then the first by path order.
    const i = Math.max(0, list.findIndex((id) => known.get(id)!.name === o.name));
    const id = list.splice(i, 1)[0]!;
    m.byPath.set(o.path, id);
    movedByContent.set(o.path, id);
  }

  const idOfPath = new Map<string, string>();
  const target = new Map<string, Placed>();
  const nodes = new Map<string, LocalNode>();
  const content = new Map<string, FileHash & { mtimeMs: number }>();
  const created = new Set<string>();
  for (const o of observed) {
    const parentId = o.parent === '' ? rootId : idOfPath.get(o.parent);
    if (parentId === undefined) continue; // its folder was skipped
    let id = m.byPath.get(o.path);
    const prev = id !== undefined ? known.get(id)! : null;
    if (id === undefined) {
      id = mintId();
      created.add(id);
    }
    idOfPath.set(o.path, id);
    target.set(id, { id, parentId, name: o.name, kind: o.kind });
    const racy = o.mtimeMs > scanStartedMs - 2000;
    const base: LocalNode = {
      id,
      parentId,
      name: o.name,
      kind: o.kind,
      contentHash: prev?.contentHash ?? null,
      baseHash: prev?.baseHash ?? null,
      size: prev?.size ?? 0,
      mtime: prev?.mtime ?? null,
      rev: prev?.rev ?? 0,
      known: prev?.known ?? false,
      ino: o.ino,
      birthMs: o.birthMs || null,
      statSize: o.kind === 'file' ? o.size : null,
      statMtimeMs: o.kind === 'file' ? o.mtimeMs : null,
      racy: o.kind === 'file' && racy,
    };
    if (o.kind === 'file' && o.hash && (prev === null || o.hash.contentHash !== prev.contentHash)) {
      content.set(id, { ...o.hash, mtimeMs: o.mtimeMs });
      base.contentHash = o.hash.contentHash;
      base.size = o.hash.size;
      base.mtime = new Date(o.mtimeMs).toISOString();
    }
    nodes.set(id, base);
  }
  return { target, nodes, content, created, movedByContent };
}

/**
 * The operations (for the queue; the base cursor and op id are added there) that reproduce a
 * scan's changes on the server, in an order the server accepts:
 * the placement steps (creates parents first, moves with swaps through a temporary name, deletes
 * after what survives moved out, each recursive delete with the ids it removed), then new
 * versions of existing files.
 */
export function localOps(rootId: string, known: ReadonlyMap<string, LocalNode>, diff: LocalDiff, opts: PlacementOptions): LocalOp[] {
  const current = new Map<string, Placed>();
  for (const n of known.values()) current.set(n.id, n);
  const ops: LocalOp[] = [];
  for (const s of planPlacement(rootId, current, diff.target, opts)) {
    switch (s.type) {
      case 'create': {
        if (s.kind === 'folder') {
          ops.push({ type: 'createFolder', nodeId: s.id, body: { id: s.id, parentId: s.parentId, name: s.name } });
        } else {
          const c = diff.content.get(s.id);
          if (!c) throw new Error(`no content for new file ${s.id}`);
          ops.push({
            type: 'createFile',
            nodeId: s.id,
            body: { id: s.id, parentId: s.parentId, name: s.name, blocks: c.blocks, size: c.size, mtime: new Date(c.mtimeMs).toISOString() },
          });
        }
        break;
      }
      case 'move':
        ops.push({ type: 'move', nodeId: s.id, body: { id: s.id, parentId: s.parentId, name: s.name } });
        break;
      case 'delete':
        ops.push({ type: 'delete', nodeId: s.id, body: { id: s.id, ...(s.removedIds.length ? { removedIds: s.removedIds } : {}) } });
        break;
    }
  }
  for (const [id, c] of diff.content) {
    if (diff.created.has(id)) continue;
    ops.push({ type: 'edit', nodeId: id, body: { id, blocks: c.blocks, size: c.size, mtime: new Date(c.mtimeMs).toISOString() } });
  }
  return ops;
}
