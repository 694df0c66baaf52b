import { nameKey } from '../../shared/names.js';
import type { JournalEntry } from '../journal/journal.types.js';
import { revisionRef, type Revision, type TreeNode } from '../../domain/node.js';
import type { TreeSource } from './tree-source.js';

function copy(n: TreeNode | undefined): TreeNode | null {
  return n ? { ...n } : null;
}

/** A live child in listing order: its folded name, then the node. */
type Sorted = readonly (readonly [key: string, node: TreeNode])[];

/**
 * One namespace's tree in memory: the fold of its journal up to `seq`, indexed for every read
 * the API and the planner make — by id, by (parent, folded name), children in name order, the
 * trash, revisions by file, blocks by hash. Reads cost what they return, not what the server
 * holds. Applying an entry is the same fold as the stored projection's (`TreeRepository`).
 *
 * Not shared between processes and not authoritative: the journal is. A model is used only
 * right after it was brought to the journal head: under the namespace lock by writers, or
 * without it by reads (TreeModels.fresh).
 */
export class NamespaceModel implements TreeSource {
  seq = 0;
  private readonly nodes = new Map<string, TreeNode>();
  /** parentId → child id → node (live and deleted). */
  private readonly kids = new Map<string, Map<string, TreeNode>>();
  /** `<parentId>/<folded name>` → the live node holding it. */
  private readonly liveNames = new Map<string, TreeNode>();
  /** parentId → its live children in name order, built on first listing, dropped on change. */
  private readonly sortedKids = new Map<string, Sorted>();
  private readonly trash = new Set<string>();
  private readonly revisions = new Map<string, Revision[]>();
  /** Block hash → how many retained revisions use it. */
  private readonly blockRefs = new Map<string, number>();

  constructor(readonly ns: string) {}

  get size(): number {
    return this.nodes.size;
  }

  /** The model as it was at `snapshot.seq` (see TreeSnapshots). */
  static fromSnapshot(ns: string, snapshot: TreeSnapshot): NamespaceModel {
    const m = new NamespaceModel(ns);
    for (const n of snapshot.nodes) m.put(n);
    for (const r of snapshot.revisions) m.addRevision(r);
    m.seq = snapshot.seq;
    return m;
  }

  /**
   * What the model holds, to store and load later instead of folding the journal from the
   * start. Nodes are never changed in place (a new state replaces the object), so the arrays
   * are a consistent copy even while the model moves on.
   */
  snapshot(): TreeSnapshot {
    return { seq: this.seq, nodes: [...this.nodes.values()], revisions: [...this.revisions.values()].flat() };
  }

  /** Folds one entry in. Entries must come in order; an old one is ignored. */
  apply(e: JournalEntry): void {
    if (e.seq <= this.seq) return;
    if (e.seq !== this.seq + 1) throw new Error(`tree model of ${this.ns} at ${this.seq} got entry ${e.seq}`);
    for (const s of e.changes) {
      const { path: _path, ...node } = s;
      this.put(node);
      if (node.kind === 'file' && node.contentSeq === e.seq && node.contentHash !== null) {
        this.addRevision({
          nodeId: node.id,
          seq: e.seq,
          size: node.size,
          contentHash: node.contentHash,
          blocks: node.blocks,
          mtime: node.mtime,
          at: e.at,
          deviceId: e.deviceId,
        });
      }
    }
    if (e.purgedRevisions?.length) this.dropRevisions(e.purgedRevisions);
    this.seq = e.seq;
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────

  // Reads hand out copies: a caller that edits a node it read (a plan being built) must not
  // change the model.

  node(id: string): TreeNode | null {
    return copy(this.nodes.get(id));
  }

  liveChildByName(parentId: string, name: string): TreeNode | null {
    return copy(this.liveNames.get(`${parentId}/${nameKey(name)}`));
  }

  children(parentId: string, which: 'live' | 'all'): TreeNode[] {
    const out: TreeNode[] = [];
    for (const n of this.kids.get(parentId)?.values() ?? []) if (which === 'all' || !n.deleted) out.push({ ...n });
    return out;
  }

  /** Live children whose folded name is after `afterKey` (null: from the start), in name order. */
  liveChildrenPage(parentId: string, afterKey: string | null, limit: number): TreeNode[] {
    const sorted = this.sortedLive(parentId);
    let lo = 0;
    if (afterKey !== null) {
      // Binary search for the first key > afterKey.
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]![0] <= afterKey) lo = mid + 1;
        else hi = mid;
      }
    }
    return sorted.slice(lo, lo + limit).map(([, n]) => ({ ...n }));
  }

  /** Trash roots newest first (by deletedSeq, then id), those deleted before `beforeSeq` when given. */
  trashRoots(limit: number, beforeSeq: number | null): TreeNode[] {
    const roots: TreeNode[] = [];
    for (const id of this.trash) {
      const n = this.nodes.get(id)!;
      if (beforeSeq === null || n.deletedSeq < beforeSeq) roots.push(n);
    }
    roots.sort((a, b) => b.deletedSeq - a.deletedSeq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return roots.slice(0, limit).map((n) => ({ ...n }));
  }

  expiredTrashRoots(before: Date): TreeNode[] {
    const out: TreeNode[] = [];
    for (const id of this.trash) {
      const n = this.nodes.get(id)!;
      if (!n.purged && n.deletedAt !== null && n.deletedAt < before) out.push({ ...n });
    }
    return out;
  }

  revisionsOf(nodeId: string): Revision[] {
    return [...(this.revisions.get(nodeId) ?? [])].sort((a, b) => b.seq - a.seq);
  }

  revision(nodeId: string, seq: number): Revision | null {
    return this.revisions.get(nodeId)?.find((r) => r.seq === seq) ?? null;
  }

  revisionsBefore(before: Date): Revision[] {
    const out: Revision[] = [];
    for (const list of this.revisions.values()) for (const r of list) if (r.at < before) out.push(r);
    return out;
  }

  referencesBlock(hash: string): boolean {
    return (this.blockRefs.get(hash) ?? 0) > 0;
  }

  // ── the fold ──────────────────────────────────────────────────────────────────────────

  private put(node: TreeNode): void {
    const old = this.nodes.get(node.id);
    if (old) {
      this.kids.get(old.parentId)?.delete(old.id);
      if (!old.deleted) {
        const key = `${old.parentId}/${nameKey(old.name)}`;
        if (this.liveNames.get(key)?.id === old.id) this.liveNames.delete(key);
      }
      this.sortedKids.delete(old.parentId);
    }
    this.nodes.set(node.id, node);
    let siblings = this.kids.get(node.parentId);
    if (!siblings) this.kids.set(node.parentId, (siblings = new Map<string, TreeNode>()));
    siblings.set(node.id, node);
    if (!node.deleted) this.liveNames.set(`${node.parentId}/${nameKey(node.name)}`, node);
    this.sortedKids.delete(node.parentId);
    if (node.deleted && node.trashRootId === node.id) this.trash.add(node.id);
    else this.trash.delete(node.id);
  }

  private sortedLive(parentId: string): Sorted {
    let sorted = this.sortedKids.get(parentId);
    if (!sorted) {
      const live: [string, TreeNode][] = [];
      for (const n of this.kids.get(parentId)?.values() ?? []) if (!n.deleted) live.push([nameKey(n.name), n]);
      live.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.sortedKids.set(parentId, (sorted = live));
    }
    return sorted;
  }

  private addRevision(r: Revision): void {
    let list = this.revisions.get(r.nodeId);
    if (!list) this.revisions.set(r.nodeId, (list = []));
    if (list.some((x) => x.seq === r.seq)) return;
    list.push(r);
    for (const h of new Set(r.blocks)) this.blockRefs.set(h, (this.blockRefs.get(h) ?? 0) + 1);
  }

  private dropRevisions(refs: readonly string[]): void {
    const gone = new Set(refs);
    for (const ref of refs) {
      const nodeId = ref.slice(0, ref.lastIndexOf(':'));
      const list = this.revisions.get(nodeId);
      if (!list) continue;
      const keep = list.filter((r) => !gone.has(revisionRef(r.nodeId, r.seq)));
      for (const r of list) {
        if (keep.includes(r)) continue;
        for (const h of new Set(r.blocks)) {
          const n = (this.blockRefs.get(h) ?? 1) - 1;
          if (n > 0) this.blockRefs.set(h, n);
          else this.blockRefs.delete(h);
        }
      }
      if (keep.length > 0) this.revisions.set(nodeId, keep);
      else this.revisions.delete(nodeId);
    }
  }
}

/** How a new model was made: loaded up to `snapshotSeq` (0: no snapshot) in `ms`, then folded to `seq` in `foldMs`. */
export interface ModelLoad {
  nodes: number;
  seq: number;
  snapshotSeq: number;
  ms: number;
  foldMs: number;
}

/** A namespace's tree at `seq`, as stored to load a model without folding the whole journal. */
export interface TreeSnapshot {
  seq: number;
  nodes: TreeNode[];
  revisions: Revision[];
}

/** Where snapshots live (`TreeSnapshotsRepository`). */
export interface SnapshotStore {
  load(ns: string): Promise<TreeSnapshot | null>;
  save(ns: string, snapshot: TreeSnapshot): Promise<void>;
}

/**
 * A model is snapshotted once at least this many entries were folded into it since its last
 * snapshot — and at least as many as it holds nodes (snapshotDue). A snapshot writes the whole
 * model, so at a fixed interval its cost grew with the tree: a 50,000-file import wrote 25
 * snapshots averaging 25,000 nodes (and read each old one back to delete it), most of
 * FerretDB's time. With the interval growing with the model, snapshots cost at most about
 * one node written per entry folded, and loading one folds at most as many entries as it holds.
 */
export const SNAPSHOT_EVERY = 2000;

/** Whether a model of `nodes` nodes that folded `folded` entries since its last snapshot is due one. */
export const snapshotDue = (folded: number, nodes: number): boolean => folded >= Math.max(SNAPSHOT_EVERY, nodes);

/**
 * The models of recently used namespaces, least recently used dropped first once they hold
 * more than `TREE_MODEL_MAX_NODES` nodes together. A namespace without a model is folded from
 * its journal on first use; reads fall back to the stored projection only if it is dropped
 * between the catch-up and the read.
 */
export class TreeModels {
  /** Map order is use order: the first key is the least recently used. */
  private readonly models = new Map<string, NamespaceModel>();
  private total = 0;

  /** Per namespace: the seq of its newest stored snapshot, as far as this process knows. */
  private readonly snapshotSeq = new Map<string, number>();
  private readonly saving = new Set<string>();
  /** Namespaces whose model a batch is planning into (see planning). */
  private readonly planningNow = new Set<string>();

  constructor(
    private readonly maxNodes: number,
    private readonly read: (ns: string, afterSeq: number, limit: number) => Promise<JournalEntry[]>,
    private readonly snapshots: SnapshotStore | null = null,
    private readonly onError: (err: unknown, ns: string) => void = () => {},
    private readonly onLoaded: (ns: string, load: ModelLoad) => void = () => {},
  ) {}

  /** Brings the namespace's model to `head` from the journal, making it if need be. Callers hold the namespace lock. */
  async catchUp(ns: string, head: number): Promise<void> {
    if (this.maxNodes === 0) return;
    const known = this.models.get(ns);
    const started = performance.now();
    const m = known ?? (await this.load(ns, head));
    const loaded = { snapshotSeq: m.seq, ms: performance.now() - started };
    while (m.seq < head) {
      const entries = await this.read(ns, m.seq, Math.min(FOLD_BATCH, head - m.seq));
      if (entries.length === 0) break;
      this.fold(m, entries);
    }
    if (!known) this.onLoaded(ns, { nodes: m.size, seq: m.seq, ...loaded, foldMs: performance.now() - started - loaded.ms });
    if (this.models.get(ns) !== m) {
      // New, or dropped while the journal was read: (re)counted whole.
      this.drop(ns);
      this.total += m.size;
    }
    this.models.delete(ns);
    this.models.set(ns, m);
    this.evict(ns);
    this.maybeSnapshot(m);
  }

  /**
   * Folds entries read from the journal into `m`, with no await in between (lock-free reads
   * fold too: see fresh). Stops at a gap: what was read before another fold moved the model on.
   */
  private fold(m: NamespaceModel, entries: readonly JournalEntry[]): void {
    const before = m.size;
    try {
      for (const e of entries) {
        if (e.seq > m.seq + 1) break;
        m.apply(e);
      }
    } finally {
      // Even a fold cut short by an error leaves a valid model, only behind: keep counting it.
      if (this.models.get(m.ns) === m) this.total += m.size - before;
    }
  }

  /** A new model: from the newest snapshot at or below `head` when there is one, else empty. */
  private async load(ns: string, head: number): Promise<NamespaceModel> {
    if (this.snapshots) {
      try {
        const s = await this.snapshots.load(ns);
        if (s && s.seq <= head) {
          this.snapshotSeq.set(ns, s.seq);
          return NamespaceModel.fromSnapshot(ns, s);
        }
      } catch (err) {
        this.onError(err, ns); // fold the journal instead
      }
    }
    return new NamespaceModel(ns);
  }

  /** Stores a snapshot in the background once enough was folded since the last one. */
  private maybeSnapshot(m: NamespaceModel): void {
    if (!this.snapshots || this.saving.has(m.ns)) return;
    if (!snapshotDue(m.seq - (this.snapshotSeq.get(m.ns) ?? 0), m.size)) return;
    const snapshot = m.snapshot();
    this.saving.add(m.ns);
    this.snapshots
      .save(m.ns, snapshot)
      .then(() => this.snapshotSeq.set(m.ns, snapshot.seq))
      .catch((err: unknown) => this.onError(err, m.ns))
      .finally(() => this.saving.delete(m.ns));
  }

  /**
   * The namespace's model brought to the journal's `head` without the namespace lock, for a
   * read: the entries it lacks are read from the journal and folded in, so a read never waits
   * for a writer's projection writes (a purge entry, a batch's bulk apply) — only for the
   * journal. Null when there is no model (the caller loads one under the lock) or while a batch
   * plans into it: its state then holds entries not in the journal yet (see planning).
   *
   * Folding here is safe beside the lock holder: everything folded is in the journal, each
   * batch of entries is folded without an await in between, and `apply` ignores what the model
   * already holds. A writer that planned against the model before another process's entry was
   * folded in loses the race for that seq and plans again (SyncWriter.appendNext).
   */
  async fresh(ns: string, head: () => Promise<number>): Promise<NamespaceModel | null> {
    const m = this.models.get(ns);
    if (!m || this.planningNow.has(ns)) return null;
    const to = await head();
    while (m.seq < to) {
      const entries = await this.read(ns, m.seq, Math.min(FOLD_BATCH, to - m.seq));
      if (entries.length === 0 || this.models.get(ns) !== m || this.planningNow.has(ns)) return null;
      this.fold(m, entries);
    }
    if (this.models.get(ns) !== m || this.planningNow.has(ns)) return null;
    this.get(ns);
    this.maybeSnapshot(m);
    return m;
  }

  /**
   * Marks the namespace's model as being planned into by a batch (under the namespace lock)
   * until the returned function is called: lock-free reads keep off it, since it may hold
   * entries that are not in the journal.
   */
  planning(ns: string): () => void {
    this.planningNow.add(ns);
    return () => this.planningNow.delete(ns);
  }

  /** The model if there is one (no journal read), marked as used. */
  get(ns: string): NamespaceModel | undefined {
    const m = this.models.get(ns);
    if (m) {
      this.models.delete(ns);
      this.models.set(ns, m);
    }
    return m;
  }

  /** Folds an entry just applied to the stored projection into the model, if there is one. */
  apply(e: JournalEntry): void {
    const m = this.models.get(e.ns);
    if (!m) return;
    if (e.seq <= m.seq) {
      // A batch folds its entries before they are stored; once its last is, the model is the
      // fold of the journal again and may be snapshotted.
      if (e.seq === m.seq) this.maybeSnapshot(m);
      return;
    }
    if (e.seq !== m.seq + 1) {
      // An entry this process never saw lies between: fold again from the journal on next use.
      this.drop(e.ns);
      return;
    }
    const before = m.size;
    m.apply(e);
    this.total += m.size - before;
    this.maybeSnapshot(m);
  }

  drop(ns: string): void {
    const m = this.models.get(ns);
    if (!m) return;
    this.models.delete(ns);
    this.total -= m.size;
  }

  /** Nodes held in all models (for /metrics and tests). */
  get nodeCount(): number {
    return this.total;
  }

  private evict(keep: string): void {
    for (const ns of this.models.keys()) {
      if (this.total <= this.maxNodes) return;
      if (ns !== keep) this.drop(ns);
    }
  }
}

const FOLD_BATCH = 512;
