import { BLOCK_SIZE, blockSizesFor, contentHashOfBlocks, isBlockHash } from '../../shared/content-hash.js';
import { isNodeId, uuidv7 } from '../../shared/ids.js';
import { conflictedName, nameKey, nameProblem, normalizeName, PathError, splitPath } from '../../shared/names.js';
import {
  decideDelete,
  decideEdit,
  decideMove,
  freeName,
  partialDelete,
  type ConflictKind,
  type SeenAttributes,
} from './conflicts/conflict-policy.js';
import { ConflictsErrors } from './conflicts/conflicts.errors.js';
import { toEntryDto } from '../../domain/entry.dto.js';
import type { NodeState, OpKind } from '../../domain/node.js';
import type { PlannedConflict } from '../journal/journal.types.js';
import { NamespaceErrors } from './namespace.errors.js';
import { freshNode, type Revision, type TreeNode } from '../../domain/node.js';
import type { Operation, WriteContext } from './operations.js';
import type { TreeView } from './tree-view.js';

/** The largest file: 100,000 blocks (≈ 390 GiB) keeps a journal entry well under 16 MB. */
export const MAX_FILE_BLOCKS = 100_000;

export type Plan =
  | { kind: 'noop'; node: NodeState }
  | {
      kind: 'write';
      opKind: OpKind;
      /** changes[0] is the node the operation was about. */
      changes: NodeState[];
      usageDelta: number;
      conflicts: PlannedConflict[];
      resolved?: { conflictId: string; resolution: string }[];
    };

/** The part of a conflict record a resolution needs. */
export interface ResolvableConflict {
  id: string;
  kind: string;
  nodeIds: string[];
}

/** What the planner needs from outside the tree. */
export interface PlannerPorts {
  /** Which of these blocks the user holds, with their sizes. */
  heldSizes(userId: string, hashes: readonly string[]): Promise<Map<string, number>>;
  /** A device's name, for conflicted-copy names. */
  deviceName(deviceId: string): Promise<string>;
}

/** The device had seen a change if it came before its base cursor, or if it made it itself. */
export function seen(seq: number, dev: string | null, ctx: WriteContext): boolean {
  return seq <= ctx.baseSeq || (dev !== null && dev === ctx.deviceId);
}

export function seenAttributes(n: TreeNode, ctx: WriteContext): SeenAttributes {
  return {
    content: seen(n.contentSeq, n.contentDev, ctx),
    location: seen(n.locationSeq, n.locationDev, ctx),
    deletion: seen(n.deletedSeq, n.deletedDev, ctx),
  };
}

/**
 * Turns an operation into the node states it produces, against the tree at the journal
 * head, settling whatever the device had not seen by the conflict policy
 * (src/modules/namespace/conflicts/conflict-policy.ts, docs/conflicts.md). What the server makes on
 * its own — conflicted copies, renamed or restored nodes — carries no device, so later
 * operations of the same offline batch treat it as unseen and never destroy it.
 */
export class Planner {
  constructor(private readonly ports: PlannerPorts) {}

  async plan(op: Operation, view: TreeView, ctx: WriteContext, seq: number, now: Date): Promise<Plan> {
    const p = new PlanContext(view, ctx, seq, now, this.ports);
    switch (op.type) {
      case 'createFolder':
        return this.create(op, p, 'folder');
      case 'commit':
        return this.commit(op, p);
      case 'move':
        return this.move(op, p);
      case 'delete':
        return this.delete(op, p);
      case 'restore':
        return this.restore(op, p);
      case 'restoreRevision':
        return this.restoreRevision(op, p);
      case 'resolveConflict':
        throw new Error('a conflict resolution is planned with planResolution()');
    }
  }

  /**
   * Resolving a conflict is an ordinary write. Edit/edit: keep mine (the conflicted copy's
   * content becomes the file's, the copy goes to the trash), keep theirs (the copy goes to the
   * trash) or keep both; every other kind is acknowledged.
   */
  async planResolution(conflict: ResolvableConflict, resolution: string, view: TreeView, ctx: WriteContext, seq: number, now: Date): Promise<Plan> {
    const p = new PlanContext(view, ctx, seq, now, this.ports);
    const allowed = conflict.kind === 'EDIT_EDIT' ? (['keepMine', 'keepTheirs', 'keepBoth'] as const) : (['acknowledge'] as const);
    if (!(allowed as readonly string[]).includes(resolution)) throw ConflictsErrors.resolutionNotApplicable(conflict.kind, allowed);
    const [nodeId, copyId] = conflict.nodeIds;
    const node = nodeId ? await p.node(nodeId) : null;
    const copy = copyId ? await p.node(copyId) : null;
    let usage = 0;
    const trash = (n: TreeNode): void => {
      if (n.deleted) return;
      p.change(n, { deleted: true, deletedAt: p.now, trashRootId: n.id, deletedSeq: p.seq, deletedDev: ctx.deviceId });
      if (n.kind === 'file') usage -= n.size;
    };
    if (resolution === 'keepMine' && node && copy) {
      const content = { size: copy.size, contentHash: copy.contentHash, blocks: copy.blocks, mtime: copy.mtime };
      let place: Partial<NodeState> = {};
      if (node.deleted) {
        // Mine comes back where it was, with the deleted folders above it, as an edit would (rule 2).
        const parent = await p.ensureLiveFolder((await p.node(node.parentId))!, null, node.id);
        const name = await p.placeName(parent.id, node.name, node.id, true);
        place = { ...p.revival(ctx.deviceId), parentId: parent.id, name, ...p.movedIf(node, parent.id, name, null) };
      }
      p.change(node, { ...content, contentSeq: p.seq, contentDev: ctx.deviceId, ...place });
      usage += copy.size - (node.deleted ? 0 : node.size);
      trash(copy);
    } else if (resolution === 'keepTheirs' && copy) {
      trash(copy);
    }
    if (node) p.touch(node);
    else if (copy) p.touch(copy);
    const plan = await p.write('conflict.resolve', usage, (node ?? copy)?.id);
    if (plan.kind === 'write') plan.resolved = [{ conflictId: conflict.id, resolution }];
    return plan;
  }

  // ── create ──────────────────────────────────────────────────────────────────────────────

  private async create(
    op: { id?: string; parentId?: string; name?: string; path?: string; autorename?: boolean },
    p: PlanContext,
    kind: 'file' | 'folder',
    content?: { blocks: string[]; size: number; contentHash: string; mtime: Date | null },
  ): Promise<Plan> {
    const { parent, name } = await p.createTarget(op);
    let id = uuidv7();
    if (op.id !== undefined) {
      if (!isNodeId(op.id) || op.id === p.ctx.ns) throw NamespaceErrors.invalidId();
      const existing = await p.node(op.id);
      if (existing) {
        // Rule 1: the same create again (a retry) changes nothing.
        const same = existing.kind === kind && !existing.deleted && existing.parentId === parent.id && existing.name === name;
        if (same && (!content || existing.contentHash === content.contentHash)) return p.noop(existing);
        throw NamespaceErrors.idTaken();
      }
      id = op.id;
    }
    const live = await p.ensureLiveFolder(parent, 'PARENT_RESTORED', id);
    const placed = await p.placeName(live.id, name, id, op.autorename);
    const node = p.newNode(id, live, placed, kind);
    if (content) Object.assign(node, { size: content.size, contentHash: content.contentHash, blocks: content.blocks, mtime: content.mtime });
    p.set(node);
    return p.write(kind === 'folder' ? 'folder.create' : 'file.commit', content?.size ?? 0, id);
  }

  // ── commit: a new file, or a new version of one ─────────────────────────────────────────

  private async commit(op: Extract<Operation, { type: 'commit' }>, p: PlanContext): Promise<Plan> {
    const contentHash = validateBlockList(op.blocks, op.size);
    const content = { blocks: op.blocks, size: op.size, contentHash, mtime: op.mtime ?? null };
    let existing: TreeNode | null = null;
    if (op.id !== undefined) {
      if (!isNodeId(op.id)) throw NamespaceErrors.invalidId();
      existing = await p.node(op.id);
    } else {
      // By path onto a file the device knew: a new version of it. One it did not know is a
      // different file that happens to have the name (rule 10 renames the incoming one).
      const { parent, name } = await p.createTarget(op);
      const atPath = parent.deleted ? null : await p.liveChild(parent.id, name);
      if (atPath?.kind === 'file' && seen(atPath.locationSeq, atPath.locationDev, p.ctx)) existing = atPath;
    }
    if (!existing) {
      await this.assertHeld(op.blocks, op.size, p);
      return this.create(op, p, 'file', content);
    }
    if (existing.kind !== 'file') throw NamespaceErrors.notAFile();
    return this.edit(existing, content, p, 'file.commit', () => this.assertHeld(op.blocks, op.size, p));
  }

  private async restoreRevision(op: Extract<Operation, { type: 'restoreRevision' }>, p: PlanContext): Promise<Plan> {
    const node = await p.existing(op.id);
    if (node.kind !== 'file') throw NamespaceErrors.notAFile();
    const rev: Revision | null = await p.view.revision(node.id, op.revision);
    if (!rev) throw NamespaceErrors.revisionNotFound();
    return this.edit(node, { blocks: rev.blocks, size: rev.size, contentHash: rev.contentHash, mtime: rev.mtime }, p, 'revision.restore');
  }

  /** A new version of an existing file, by rules 1, 2 and 7. */
  private async edit(
    node: TreeNode,
    content: { blocks: string[]; size: number; contentHash: string; mtime: Date | null },
    p: PlanContext,
    opKind: OpKind,
    checkBlocks?: () => Promise<void>,
  ): Promise<Plan> {
    const seenAttrs = seenAttributes(node, p.ctx);
    const decision = decideEdit({
      sameContent: node.contentHash === content.contentHash && node.size === content.size,
      deleted: node.deleted,
      seen: seenAttrs,
    });
    if (decision.action === 'noop') return p.noop(node);
    await checkBlocks?.();
    const dev = p.ctx.deviceId;
    const newContent = { ...content, contentSeq: p.seq, contentDev: dev };
    switch (decision.action) {
      case 'apply': {
        p.change(node, newContent);
        return p.write(opKind, content.size - node.size, node.id);
      }
      case 'restore-and-edit': {
        // Edit beats delete: the file comes back where it was, its deleted folders with it.
        const parent = await p.ensureLiveFolder((await p.node(node.parentId))!, null, node.id);
        const name = await p.placeName(parent.id, node.name, node.id, true);
        p.change(node, { ...p.revival(dev), ...newContent, parentId: parent.id, name, ...p.movedIf(node, parent.id, name, null) });
        if (decision.conflict) p.conflict(decision.conflict, [node.id]);
        return p.write(opKind, content.size, node.id);
      }
      case 'conflicted-copy': {
        // Edit/edit: the server's version keeps its name; the incoming content lands beside it.
        p.touch(node);
        const label = `${await this.ports.deviceName(p.ctx.deviceId)} ${p.now.toISOString().slice(0, 10)}`;
        const parent = (await p.node(node.parentId))!;
        const { name } = await freeName(
          conflictedName(node.name, label),
          (c) => p.nameTaken(parent.id, c, null),
          (n) => conflictedName(node.name, label, n + 1),
        );
        const copy = p.newNode(uuidv7(), parent, name, 'file', null);
        Object.assign(copy, { size: content.size, contentHash: content.contentHash, blocks: content.blocks, mtime: content.mtime });
        p.set(copy);
        p.conflict(decision.conflict, [node.id, copy.id]);
        return p.write(opKind, content.size, node.id);
      }
    }
  }

  // ── move / rename ───────────────────────────────────────────────────────────────────────

  private async move(op: Extract<Operation, { type: 'move' }>, p: PlanContext): Promise<Plan> {
    const node = await p.existing(op.id);
    const name = op.name === undefined ? node.name : validName(op.name);
    const target = await p.folderForPlacement(op.parentId ?? node.parentId);
    const cycle = node.kind === 'folder' && (await p.isSelfOrAncestor(node.id, target.id));
    const decision = decideMove({
      sameLocation: target.id === node.parentId && name === node.name,
      deleted: node.deleted,
      deletedItself: node.trashRootId === node.id,
      seen: seenAttributes(node, p.ctx),
      cycle,
      cycleFromUnseenMoves: cycle && (await p.unseenMoveOnPath(target.id, node.id)),
    });
    const dev = p.ctx.deviceId;
    switch (decision.action) {
      case 'noop':
        return p.noop(node);
      case 'refuse':
        throw NamespaceErrors.moveIntoItself();
      case 'skip':
        await p.touchSubtree(node);
        p.conflict(decision.conflict, [node.id]);
        return p.write('node.move', 0, node.id);
      case 'restore-and-move':
      case 'restore-chain-and-move':
      case 'restore-in-place': {
        // Rename beats delete: the node and what the same delete removed come back — where
        // it was, if the move would make a cycle.
        // A file past trash retention cannot come back without its content (as a restore).
        if (node.purged && node.kind === 'file') throw NamespaceErrors.purged();
        const inPlace = decision.action === 'restore-in-place';
        const to = inPlace ? await p.folderForPlacement(node.parentId) : target;
        const subtree = await p.deletedTogether(node);
        for (const d of subtree) p.change(d, p.revival(dev));
        const chainRevived = to.deleted;
        const parent = await p.ensureLiveFolder(to, null, node.id);
        const placed = await p.placeName(parent.id, inPlace ? node.name : name, node.id, op.autorename);
        p.change(node, { ...p.revival(dev), parentId: parent.id, name: placed, ...p.movedIf(node, parent.id, placed, dev) });
        await p.rerootTrash([node, ...subtree]);
        const kind: ConflictKind = inPlace
          ? 'MOVE_CYCLE'
          : decision.action === 'restore-and-move' || !chainRevived
            ? 'MOVE_RESTORED'
            : 'PARENT_RESTORED';
        if (decision.action !== 'restore-and-move' || decision.conflict) p.conflict(kind, [node.id]);
        return p.write('node.move', sumFileSizes([node, ...subtree]), node.id);
      }
      case 'apply': {
        const parent = await p.ensureLiveFolder(target, 'PARENT_RESTORED', node.id);
        const placed = await p.placeName(parent.id, name, node.id, op.autorename);
        if (parent.id === node.parentId && placed === node.name) return p.noop(node);
        p.change(node, { parentId: parent.id, name: placed, locationSeq: p.seq, locationDev: dev });
        return p.write('node.move', 0, node.id);
      }
    }
  }

  // ── delete ──────────────────────────────────────────────────────────────────────────────

  private async delete(op: Extract<Operation, { type: 'delete' }>, p: PlanContext): Promise<Plan> {
    const node = await p.existing(op.id);
    const subtree = node.kind === 'folder' && !node.deleted ? await p.view.descendants(node, (n) => !n.deleted) : [];
    const byId = new Map([node, ...subtree].map((n) => [n.id, n] as const));
    const removed = new Set(op.removedIds ?? []);
    /**
     * What the device had not seen inside the folder: a node whose content or place changed
     * after its base cursor; and, unless the device says it removed it (then it had it there),
     * one back from the trash since then or one that came in with a folder moved in unseen.
     */
    const changedUnseen = (n: TreeNode): boolean => {
      const s = seenAttributes(n, p.ctx);
      if (!s.content || !s.location) return true;
      if (removed.has(n.id)) return false;
      if (!s.deletion) return true;
      for (let a = byId.get(n.parentId); a && a.id !== node.id; a = byId.get(a.parentId)) {
        if (!seen(a.locationSeq, a.locationDev, p.ctx)) return true;
      }
      return false;
    };
    const decision = decideDelete({
      deleted: node.deleted,
      seen: seenAttributes(node, p.ctx),
      descendantsChangedUnseen: subtree.some(changedUnseen),
    });
    let deleteIds = new Set<string>();
    switch (decision.action) {
      case 'noop':
        if (!(await p.reemitRemoved(op.removedIds, deleteIds))) return p.noop(node);
        // The entry is still about the deleted node (changes[0]); re-sending it changes nothing.
        p.touch(node);
        return p.write('node.delete', 0, node.id);
      case 'keep':
        // The delete loses: the node (and its subtree) is re-sent so the device shows it again.
        await p.touchSubtree(node);
        p.conflict(decision.conflict, [node.id]);
        break;
      case 'delete-seen-only': {
        const split = partialDelete(
          node.id,
          subtree.map((d) => ({ id: d.id, parentId: d.parentId, changedUnseen: changedUnseen(d) })),
        );
        deleteIds = split.deleteIds;
        for (const id of split.keepIds) p.touch(byId.get(id)!);
        p.conflict(decision.conflict, [node.id, ...[...split.keepIds].filter((id) => id !== node.id)]);
        break;
      }
      case 'apply':
        deleteIds = new Set([node.id, ...subtree.map((d) => d.id)]);
        break;
    }
    // Each deleted piece is trashed under its topmost deleted ancestor (restorable as a whole).
    const topOf = (n: TreeNode): string => {
      let top = n;
      while (top.id !== node.id && deleteIds.has(top.parentId)) top = byId.get(top.parentId)!;
      return top.id;
    };
    let freed = 0;
    for (const id of deleteIds) {
      const n = byId.get(id)!;
      if (n.kind === 'file') freed += n.size;
      p.change(n, { deleted: true, deletedAt: p.now, trashRootId: topOf(n), deletedSeq: p.seq, deletedDev: p.ctx.deviceId });
    }
    await p.reemitRemoved(op.removedIds, deleteIds);
    if (!p.hasChanges()) return p.noop(node);
    return p.write('node.delete', -freed, node.id);
  }

  // ── restore from the trash ──────────────────────────────────────────────────────────────

  private async restore(op: Extract<Operation, { type: 'restore' }>, p: PlanContext): Promise<Plan> {
    const node = await p.existing(op.id);
    if (!node.deleted) throw NamespaceErrors.notInTrash();
    if (node.purged) throw NamespaceErrors.purged();
    const parentNode = await p.node(op.parentId ?? node.parentId);
    if (parentNode?.deleted && op.parentId === undefined) throw NamespaceErrors.parentDeleted();
    const parent = await p.liveFolder(op.parentId ?? node.parentId);
    const name = await p.placeName(parent.id, op.name === undefined ? node.name : validName(op.name), node.id, op.autorename);
    // What the same delete removed comes back with it; things deleted earlier stay in the trash.
    const subtree = await p.deletedTogether(node);
    const dev = p.ctx.deviceId;
    p.change(node, { ...p.revival(dev), parentId: parent.id, name, ...p.movedIf(node, parent.id, name, dev) });
    for (const d of subtree) p.change(d, p.revival(dev));
    await p.rerootTrash([node, ...subtree]);
    return p.write('node.restore', sumFileSizes([node, ...subtree]), node.id);
  }

  /** The user must hold every block, each of the size its position in the file implies. */
  private async assertHeld(blocks: string[], size: number, p: PlanContext): Promise<void> {
    const held = await this.ports.heldSizes(p.ctx.userId, [...new Set(blocks)]);
    const missing = [...new Set(blocks.filter((b) => !held.has(b)))];
    if (missing.length > 0) throw NamespaceErrors.blocksMissing(missing);
    const sizes = blockSizesFor(size);
    blocks.forEach((b, i) => {
      if (held.get(b) !== sizes[i]) {
        throw NamespaceErrors.blocksMismatch(`block ${i} (${b}) holds ${held.get(b)} bytes, expected ${sizes[i]}`);
      }
    });
  }
}

/**
 * One planning attempt: the view of the tree at the head, plus the states this plan has
 * already decided (read back through `node()`), so later steps see earlier ones.
 */
export class PlanContext {
  private readonly changes = new Map<string, NodeState>();
  private readonly conflicts: PlannedConflict[] = [];

  constructor(
    readonly view: TreeView,
    readonly ctx: WriteContext,
    readonly seq: number,
    readonly now: Date,
    private readonly ports: PlannerPorts,
  ) {}

  // ── reading, through this plan's own changes ────────────────────────────────────────────

  async node(id: string): Promise<TreeNode | null> {
    return this.changes.get(id) ?? (await this.view.node(id));
  }

  async pathOf(node: TreeNode): Promise<string> {
    const names: string[] = [];
    let cur: TreeNode | null = node;
    for (let depth = 0; cur && cur.id !== this.ctx.ns; depth++) {
      if (depth > 1000) throw new Error(`path of ${node.id} is deeper than 1000: a cycle?`);
      names.push(cur.name);
      cur = await this.node(cur.parentId);
    }
    return '/' + names.reverse().join('/');
  }

  async isSelfOrAncestor(ancestorId: string, id: string): Promise<boolean> {
    let cur = await this.node(id);
    for (let depth = 0; cur && depth <= 1000; depth++) {
      if (cur.id === ancestorId) return true;
      if (cur.id === this.ctx.ns) return false;
      cur = await this.node(cur.parentId);
    }
    return false;
  }

  /** Whether a node between `fromId` and (excluding) `untilId`, going up, moved after the base cursor. */
  async unseenMoveOnPath(fromId: string, untilId: string): Promise<boolean> {
    let cur = await this.node(fromId);
    for (let depth = 0; cur && cur.id !== untilId && cur.id !== this.ctx.ns && depth <= 1000; depth++) {
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

  /** The nodes the delete that removed `node` removed below it (they come back with it). */
  async deletedTogether(node: TreeNode): Promise<TreeNode[]> {
    if (node.kind !== 'folder') return [];
    // A file past trash retention has no content to come back with: its tombstone stays.
    return this.view.descendants(node, (n) => n.deleted && n.deletedSeq === node.deletedSeq && !(n.purged && n.kind === 'file'));
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
    if (!autorename) throw NamespaceErrors.nameTaken(toEntryDto({ ...other, path: await this.pathOf(other) }));
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

function validName(raw: string): string {
  const problem = nameProblem(raw);
  if (problem) throw NamespaceErrors.invalidName(problem);
  return normalizeName(raw);
}

function sumFileSizes(nodes: readonly TreeNode[]): number {
  return nodes.reduce((sum, n) => sum + (n.kind === 'file' ? n.size : 0), 0);
}

/** Checks the block list against the size (pure) and returns the content hash. */
export function validateBlockList(blocks: readonly string[], size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) throw NamespaceErrors.blocksMismatch('size must be a whole number of bytes');
  if (blocks.length > MAX_FILE_BLOCKS) throw NamespaceErrors.blocksMismatch(`at most ${MAX_FILE_BLOCKS} blocks`);
  if (!blocks.every(isBlockHash)) throw NamespaceErrors.blocksMismatch('every block is a 64-character lowercase hex SHA-256');
  const expected = Math.ceil(size / BLOCK_SIZE);
  if (blocks.length !== expected) {
    throw NamespaceErrors.blocksMismatch(`${size} bytes make ${expected} blocks of 4 MiB, not ${blocks.length}`);
  }
  return contentHashOfBlocks(blocks);
}
