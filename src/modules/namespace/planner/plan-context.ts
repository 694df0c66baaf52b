import { isNodeId } from '../../../shared/ids.js';
import { conflictedName, nameKey, nameProblem, normalizeName, PathError, splitPath } from '../../../shared/names.js';
import { freshNode, type NodeState, type OpKind, type TreeNode } from '../../../domain/node.js';
import type { PlannedConflict } from '../../journal/journal.types.js';
import { freeName, type ConflictKind } from '../conflicts/conflict-policy.js';
import { NamespaceErrors } from '../namespace.errors.js';
import type { WriteContext } from '../operations.js';
import { MAX_DEPTH, pathThrough, type TreeView } from '../tree-view.js';
import { deletedTogether } from './deleted-together.js';
import type { Plan, PlannerPorts } from './plan.js';
import { seen } from './seen.js';

/**
 * One planning attempt: the view of the tree at the head, plus the states this plan has
 * already decided (read back through `node()`), so later steps see earlier ones. The
 * operations (create.ts, commit.ts, move.ts, …) gather facts and record decisions through it.
 */
export class PlanContext {
  private readonly changes = new Map<string, NodeState>();
  private readonly conflicts: PlannedConflict[] = [];

  constructor(
    readonly view: TreeView,
    readonly ctx: WriteContext,
    readonly seq: number,
    readonly now: Date,
    readonly ports: PlannerPorts,
  ) {}

  // ── reading, through this plan's own changes ────────────────────────────────────────────

  async node(id: string): Promise<TreeNode | null> {
    return this.changes.get(id) ?? (await this.view.node(id));
  }

  pathOf(node: TreeNode): Promise<string> {
    return pathThrough(node, this.ctx.ns, (id) => this.node(id));
  }

  async isSelfOrAncestor(ancestorId: string, id: string): Promise<boolean> {
    let cur = await this.node(id);
    for (let depth = 0; cur && depth <= MAX_DEPTH; depth++) {
      if (cur.id === ancestorId) return true;
      if (cur.id === this.ctx.ns) return false;
      cur = await this.node(cur.parentId);
    }
    return false;
  }

  /** Whether a node between `fromId` and (excluding) `untilId`, going up, moved after the base cursor. */
  async unseenMoveOnPath(fromId: string, untilId: string): Promise<boolean> {
    let cur = await this.node(fromId);
    for (let depth = 0; cur && cur.id !== untilId && cur.id !== this.ctx.ns && depth <= MAX_DEPTH; depth++) {
      if (!seen(cur.locationSeq, cur.locationDev, this.ctx)) return true;
      cur = await this.node(cur.parentId);
    }
    return false;
  }

  async liveChild(parentId: string, name: string): Promise<TreeNode | null> {
    const key = nameKey(name);
    for (const c of this.changes.values()) {
      if (!c.deleted && c.parentId === parentId && nameKey(c.name) === key) return c;
    }
    const stored = await this.view.liveChild(parentId, name);
    if (!stored) return null;
    const now = this.changes.get(stored.id);
    return now && (now.deleted || now.parentId !== parentId || nameKey(now.name) !== key) ? null : stored;
  }

  async nameTaken(parentId: string, name: string, self: string | null): Promise<boolean> {
    const other = await this.liveChild(parentId, name);
    return other !== null && other.id !== self;
  }

  /**
   * What comes back with a node restored from the trash: what the same delete removed below
   * it — but a file past trash retention has no content to come back with: its tombstone stays.
   */
  async restoredWith(node: TreeNode): Promise<TreeNode[]> {
    return (await deletedTogether(this.view, node)).filter((n) => !(n.purged && n.kind === 'file'));
  }

  // ── deciding ────────────────────────────────────────────────────────────────────────────

  /** Records the node's new state (rev moves to this seq). */
  change(node: TreeNode, patch: Partial<NodeState>): NodeState {
    const state: NodeState = { ...(this.changes.get(node.id) ?? node), ...patch, rev: this.seq, path: '' };
    this.changes.set(node.id, state);
    return state;
  }

  set(state: NodeState): void {
    this.changes.set(state.id, state);
  }

  /** Re-sends a node as it is, without changing it: not a change, so its revisions stay. */
  touch(node: TreeNode): void {
    if (!this.changes.has(node.id)) this.changes.set(node.id, { ...node, path: '' });
  }

  async touchSubtree(node: TreeNode): Promise<void> {
    this.touch(node);
    if (node.kind === 'folder') for (const d of await this.view.descendants(node, (n) => !n.deleted)) this.touch(d);
  }

  /** Moves a node to the trash (as the root of its own trash entry); returns the bytes it frees. */
  trash(node: TreeNode, trashRootId: string = node.id): number {
    if (node.deleted) return 0;
    this.change(node, { deleted: true, deletedAt: this.now, trashRootId, deletedSeq: this.seq, deletedDev: this.ctx.deviceId });
    return node.kind === 'file' ? node.size : 0;
  }

  /**
   * A recursive delete carries the ids the device removed: every one that is live after this
   * operation (kept, restored or moved away by another device) is re-sent, or the deleting
   * device would never learn of it again. True if anything was re-sent.
   */
  async reemitRemoved(removedIds: string[] | undefined, deleted: Set<string>): Promise<boolean> {
    let any = false;
    for (const id of removedIds ?? []) {
      // The root is virtual (never stored, never deleted): re-sending it would store it as its own child.
      if (deleted.has(id) || this.changes.has(id) || !isNodeId(id) || id === this.ctx.ns) continue;
      const n = await this.view.node(id);
      if (n && !n.deleted) {
        this.touch(n);
        any = true;
      }
    }
    return any;
  }

  conflict(kind: ConflictKind, nodeIds: string[]): void {
    this.conflicts.push({ kind, nodeIds });
  }

  hasChanges(): boolean {
    return this.changes.size > 0;
  }

  /** The fields that bring a deleted node back. */
  revival(dev: string | null): Partial<NodeState> {
    return { deleted: false, deletedAt: null, trashRootId: null, deletedSeq: this.seq, deletedDev: dev, purged: false };
  }

  /** Location fields, when the node ends up somewhere else than it was. */
  movedIf(node: TreeNode, parentId: string, name: string, dev: string | null): Partial<NodeState> {
    return parentId !== node.parentId || name !== node.name ? { locationSeq: this.seq, locationDev: dev } : {};
  }

  /**
   * A live folder to put a node in: a deleted one comes back, with the deleted folders above
   * it — only that chain, not their other deleted children (rule 4). Such folders are the
   * server's doing (no device), and renamed if their name was taken meanwhile.
   */
  async ensureLiveFolder(folder: TreeNode, kind: ConflictKind | null, forNode: string): Promise<TreeNode> {
    if (!folder.deleted) return folder;
    const chain: TreeNode[] = [];
    for (let cur: TreeNode | null = folder; cur && cur.deleted; cur = await this.node(cur.parentId)) chain.unshift(cur);
    for (const f of chain) {
      const name = await this.placeName(f.parentId, f.name, f.id, true);
      this.change(f, { ...this.revival(null), name, ...this.movedIf(f, f.parentId, name, null) });
    }
    await this.rerootTrash(chain);
    if (kind) this.conflict(kind, [forNode, ...chain.map((c) => c.id)]);
    return (await this.node(folder.id))!;
  }

  /** A deleted node back at its old place (its deleted folders with it), under a free name. */
  async reviveInPlace(node: TreeNode): Promise<Partial<NodeState>> {
    const parent = await this.ensureLiveFolder((await this.node(node.parentId))!, null, node.id);
    const name = await this.placeName(parent.id, node.name, node.id, true);
    return { ...this.revival(this.ctx.deviceId), parentId: parent.id, name, ...this.movedIf(node, parent.id, name, null) };
  }

  /**
   * The other things a delete removed below folders that came back stay in the trash: each
   * deleted child of a folder that is live again becomes a trash root of its own (with what
   * the same delete removed below it), or the trash would no longer list it. Their states
   * change only in `trashRootId`.
   */
  async rerootTrash(revived: readonly TreeNode[]): Promise<void> {
    for (const f of revived) {
      if (f.kind !== 'folder') continue;
      for (const child of await this.view.children(f.id, 'all')) {
        const c = await this.node(child.id);
        if (!c?.deleted || c.trashRootId === null || c.trashRootId === c.id) continue;
        const oldRoot = c.trashRootId;
        this.change(c, { trashRootId: c.id });
        for (const d of await this.view.descendants(c, (n) => n.deleted)) {
          const cur = await this.node(d.id);
          if (cur?.deleted && cur.trashRootId === oldRoot) this.change(cur, { trashRootId: c.id });
        }
      }
    }
  }

  /** `name`, or — taken by another live node there — a conflicted copy name (rule 10). */
  async placeName(parentId: string, name: string, self: string, autorename = true): Promise<string> {
    const other = await this.liveChild(parentId, name);
    if (!other || other.id === self) return name;
    if (!autorename) throw NamespaceErrors.nameTaken({ ...other, path: await this.pathOf(other) });
    const label = await this.ports.deviceName(this.ctx.deviceId);
    const placed = await freeName(
      name,
      (c) => this.nameTaken(parentId, c, self),
      (n) => conflictedName(name, label, n),
    );
    this.conflict('NAME_COLLISION', [self, other.id]);
    return placed.name;
  }

  newNode(id: string, parent: TreeNode, name: string, kind: 'file' | 'folder', dev: string | null = this.ctx.deviceId): NodeState {
    return { ...freshNode(id, parent.id, name, kind, this.seq, dev), path: '' };
  }

  async noop(node: TreeNode): Promise<Plan> {
    return { kind: 'noop', node: { ...node, path: await this.pathOf(node) } };
  }

  /**
   * The plan: every decided state with its final path, the node the operation was about
   * (`primaryId`) first — whatever order the steps decided them in (a revived parent chain or
   * subtree is often decided before the node itself).
   */
  async write(opKind: OpKind, usageDelta: number, primaryId: string | undefined): Promise<Plan> {
    const primary = primaryId === undefined ? undefined : this.changes.get(primaryId);
    const ordered = primary ? [primary, ...[...this.changes.values()].filter((s) => s !== primary)] : [...this.changes.values()];
    const changes: NodeState[] = [];
    for (const s of ordered) changes.push({ ...s, path: await this.pathOf(s) });
    return { kind: 'write', opKind, changes, usageDelta, conflicts: this.conflicts };
  }

  // ── lookups that throw ──────────────────────────────────────────────────────────────────

  async existing(id: string): Promise<TreeNode> {
    if (id === this.ctx.ns) throw NamespaceErrors.rootImmutable();
    if (!isNodeId(id)) throw NamespaceErrors.invalidId();
    const node = await this.node(id);
    if (!node) throw NamespaceErrors.nodeNotFound();
    return node;
  }

  /** A folder (live or deleted) to move something into; missing or a file is an error. */
  async folderForPlacement(id: string): Promise<TreeNode> {
    if (id !== this.ctx.ns && !isNodeId(id)) throw NamespaceErrors.invalidId();
    const folder = await this.node(id);
    if (!folder) throw NamespaceErrors.parentNotFound();
    if (folder.kind !== 'folder') throw NamespaceErrors.notAFolder();
    return folder;
  }

  async liveFolder(id: string): Promise<TreeNode> {
    const folder = await this.folderForPlacement(id);
    if (folder.deleted) throw NamespaceErrors.parentNotFound();
    return folder;
  }

  /** Where a create goes: `path`, or `parentId` (default: the root) plus `name`. */
  async createTarget(op: { parentId?: string; name?: string; path?: string }): Promise<{ parent: TreeNode; name: string }> {
    if (op.path !== undefined) {
      if (op.parentId !== undefined || op.name !== undefined) {
        throw NamespaceErrors.invalidPath('give either path, or name (with parentId), not both');
      }
      let parts: string[];
      try {
        parts = splitPath(op.path);
      } catch (err) {
        if (err instanceof PathError) throw NamespaceErrors.invalidName(err.problem);
        throw err;
      }
      const name = parts.pop();
      if (name === undefined) throw NamespaceErrors.invalidPath('it names the root');
      const parent = await this.view.resolvePath('/' + parts.join('/'));
      if (!parent) throw NamespaceErrors.parentNotFound();
      if (parent.kind !== 'folder') throw NamespaceErrors.notAFolder();
      return { parent, name };
    }
    if (op.name === undefined) throw NamespaceErrors.invalidPath('give either path, or name (with parentId)');
    return { parent: await this.folderForPlacement(op.parentId ?? this.ctx.ns), name: validName(op.name) };
  }
}

/** A name a device sent, checked and in NFC. */
export function validName(raw: string): string {
  const problem = nameProblem(raw);
  if (problem) throw NamespaceErrors.invalidName(problem);
  return normalizeName(raw);
}

export function sumFileSizes(nodes: readonly TreeNode[]): number {
  return nodes.reduce((sum, n) => sum + (n.kind === 'file' ? n.size : 0), 0);
}
