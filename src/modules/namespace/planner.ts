import { BLOCK_SIZE, blockSizesFor, contentHashOfBlocks, isBlockHash } from '../../shared/content-hash.js';
import { isNodeId, uuidv7 } from '../../shared/ids.js';
import { nameProblem, normalizeName, PathError, splitPath } from '../../shared/names.js';
import { toEntryDto } from '../journal/dto/entry.dto.js';
import type { NodeState, OpKind } from '../journal/journal.types.js';
import { NamespaceErrors } from './namespace.errors.js';
import type { TreeNode } from './namespace.types.js';
import type { Operation, WriteContext } from './operations.js';
import type { TreeView } from './tree-view.js';

/** The largest file: 100,000 blocks (≈ 390 GiB) keeps a journal entry well under 16 MB. */
export const MAX_FILE_BLOCKS = 100_000;

export type Plan =
  | { kind: 'noop'; node: NodeState }
  | { kind: 'write'; opKind: OpKind; changes: NodeState[]; usageDelta: number };

/** What the planner needs to know about blocks: which ones the user holds, and their sizes. */
export interface BlockHoldings {
  heldSizes(userId: string, hashes: readonly string[]): Promise<Map<string, number>>;
}

/** The device had seen a change if it came before its base cursor, or if it made it itself. */
export function seen(seq: number, dev: string | null, ctx: WriteContext): boolean {
  return seq <= ctx.baseSeq || (dev !== null && dev === ctx.deviceId);
}

/**
 * Turns an operation into the node states it produces, checking it against the tree as the
 * journal head has it. Until the conflict policy lands, an operation that meets a change the
 * device had not seen is refused (UNSEEN_CHANGE), never applied blindly.
 */
export class Planner {
  constructor(
    private readonly blocks: BlockHoldings,
    private readonly idInUse: (id: string) => Promise<boolean>,
  ) {}

  async plan(op: Operation, view: TreeView, ctx: WriteContext, seq: number, now: Date): Promise<Plan> {
    const p = new PlanContext(view, ctx, seq, now);
    switch (op.type) {
      case 'createFolder':
        return this.createFolder(op, p);
      case 'commit':
        return this.commit(op, p);
      case 'move':
        return this.move(op, p);
      case 'delete':
        return this.delete(op, p);
      case 'restore':
        return this.restore(op, p);
      case 'restoreRevision':
        return this.restoreRevision(op, p, view);
    }
  }

  private async createFolder(op: Extract<Operation, { type: 'createFolder' }>, p: PlanContext): Promise<Plan> {
    const { parent, name } = await p.createTarget(op);
    const id = await this.newId(op.id, p, (n) => n.kind === 'folder' && !n.deleted && n.parentId === parent.id && n.name === name);
    if (typeof id !== 'string') return id;
    await p.assertNameFree(parent.id, name, null);
    return p.write('folder.create', [await p.newNode(id, parent, name, 'folder')], 0);
  }

  private async commit(op: Extract<Operation, { type: 'commit' }>, p: PlanContext): Promise<Plan> {
    const contentHash = validateBlockList(op.blocks, op.size);
    let existing: TreeNode | null = null;
    if (op.id !== undefined) {
      if (!isNodeId(op.id)) throw NamespaceErrors.invalidId();
      existing = await p.view.node(op.id);
      if (!existing && (await this.idInUse(op.id))) throw NamespaceErrors.idTaken();
    }
    if (existing) return this.commitVersion(existing, op, contentHash, p);

    const { parent, name } = await p.createTarget(op);
    if (op.id === undefined) {
      // A commit by path onto an existing file is a new version of it, if the device knew the file.
      const atPath = await p.view.liveChild(parent.id, name);
      if (atPath?.kind === 'file' && seen(atPath.locationSeq, atPath.locationDev, p.ctx)) {
        return this.commitVersion(atPath, op, contentHash, p);
      }
    }
    await p.assertNameFree(parent.id, name, null);
    await this.assertHeld(op.blocks, op.size, p);
    const node = await p.newNode(op.id ?? uuidv7(), parent, name, 'file');
    Object.assign(node, { size: op.size, contentHash, blocks: op.blocks, mtime: op.mtime ?? null });
    return p.write('file.commit', [node], op.size);
  }

  private async commitVersion(
    node: TreeNode,
    op: Extract<Operation, { type: 'commit' }>,
    contentHash: string,
    p: PlanContext,
  ): Promise<Plan> {
    if (node.kind !== 'file') throw NamespaceErrors.notAFile();
    await p.assertLive(node);
    await p.assertContentSeen(node);
    if (node.contentHash === contentHash && node.size === op.size) return p.noop(node);
    await this.assertHeld(op.blocks, op.size, p);
    const state = await p.changed(node, {
      size: op.size,
      contentHash,
      blocks: op.blocks,
      mtime: op.mtime ?? null,
      contentSeq: p.seq,
      contentDev: p.ctx.deviceId,
    });
    return p.write('file.commit', [state], op.size - node.size);
  }

  private async move(op: Extract<Operation, { type: 'move' }>, p: PlanContext): Promise<Plan> {
    const node = await p.existing(op.id);
    await p.assertLive(node);
    if (!seen(node.locationSeq, node.locationDev, p.ctx)) throw NamespaceErrors.unseenChange(await p.entry(node));
    const name = op.name === undefined ? node.name : validName(op.name);
    const parent = await p.liveFolder(op.parentId ?? node.parentId);
    if (node.kind === 'folder' && (await p.view.isSelfOrAncestor(node.id, parent.id))) throw NamespaceErrors.moveIntoItself();
    if (parent.id === node.parentId && name === node.name) return p.noop(node);
    await p.assertNameFree(parent.id, name, node.id);
    const state = await p.changed(node, { parentId: parent.id, name, locationSeq: p.seq, locationDev: p.ctx.deviceId });
    return p.write('node.move', [state], 0);
  }

  private async delete(op: Extract<Operation, { type: 'delete' }>, p: PlanContext): Promise<Plan> {
    const node = await p.existing(op.id);
    if (node.deleted) return p.noop(node); // already deleted: the device's wish holds
    await p.assertUnchanged(node);
    const subtree = node.kind === 'folder' ? await p.view.descendants(node, (n) => !n.deleted) : [];
    for (const d of subtree) await p.assertUnchanged(d);
    const deletion = { deleted: true, deletedAt: p.now, trashRootId: node.id, deletedSeq: p.seq, deletedDev: p.ctx.deviceId };
    const changes: NodeState[] = [];
    for (const n of [node, ...subtree]) changes.push(await p.changed(n, deletion));
    return p.write('node.delete', changes, -sumFileSizes([node, ...subtree]));
  }

  private async restore(op: Extract<Operation, { type: 'restore' }>, p: PlanContext): Promise<Plan> {
    const node = await p.existing(op.id);
    if (!node.deleted) throw NamespaceErrors.notInTrash();
    const parentId = op.parentId ?? node.parentId;
    const parentNode = await p.view.node(parentId);
    if (parentNode?.deleted && op.parentId === undefined) throw NamespaceErrors.parentDeleted();
    const parent = await p.liveFolder(parentId);
    const name = op.name === undefined ? node.name : validName(op.name);
    await p.assertNameFree(parent.id, name, node.id);
    // What the same delete removed comes back with it; things deleted earlier stay in the trash.
    const subtree = node.kind === 'folder' ? await p.view.descendants(node, (n) => n.deleted && n.deletedSeq === node.deletedSeq) : [];
    const revival = { deleted: false, deletedAt: null, trashRootId: null, deletedSeq: p.seq, deletedDev: p.ctx.deviceId };
    const moved = parent.id !== node.parentId || name !== node.name;
    const changes = [
      await p.changed(node, {
        ...revival,
        parentId: parent.id,
        name,
        ...(moved ? { locationSeq: p.seq, locationDev: p.ctx.deviceId } : {}),
      }),
    ];
    for (const d of subtree) changes.push(await p.changed(d, revival));
    return p.write('node.restore', changes, sumFileSizes([node, ...subtree]));
  }

  private async restoreRevision(op: Extract<Operation, { type: 'restoreRevision' }>, p: PlanContext, view: TreeView): Promise<Plan> {
    const node = await p.existing(op.id);
    if (node.kind !== 'file') throw NamespaceErrors.notAFile();
    await p.assertLive(node);
    await p.assertContentSeen(node);
    const rev = await p.revision(view, node.id, op.revision);
    if (node.contentHash === rev.contentHash && node.size === rev.size) return p.noop(node);
    const state = await p.changed(node, {
      size: rev.size,
      contentHash: rev.contentHash,
      blocks: rev.blocks,
      mtime: rev.mtime,
      contentSeq: p.seq,
      contentDev: p.ctx.deviceId,
    });
    return p.write('revision.restore', [state], rev.size - node.size);
  }

  /** A minted id is new, or names this very node already (an idempotent retry of a create). */
  private async newId(id: string | undefined, p: PlanContext, sameAsRequested: (n: TreeNode) => boolean): Promise<string | Plan> {
    if (id === undefined) return uuidv7();
    if (!isNodeId(id) || id === p.ctx.ns) throw NamespaceErrors.invalidId();
    const existing = await p.view.node(id);
    if (existing) {
      if (sameAsRequested(existing)) return p.noop(existing);
      throw NamespaceErrors.idTaken();
    }
    if (await this.idInUse(id)) throw NamespaceErrors.idTaken();
    return id;
  }

  /** The user must hold every block, each of the size its position in the file implies. */
  private async assertHeld(blocks: string[], size: number, p: PlanContext): Promise<void> {
    const held = await this.blocks.heldSizes(p.ctx.userId, [...new Set(blocks)]);
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

/** Per-attempt helpers bound to the view, the writer and the seq being planned. */
class PlanContext {
  constructor(
    readonly view: TreeView,
    readonly ctx: WriteContext,
    readonly seq: number,
    readonly now: Date,
  ) {}

  async entry(node: TreeNode) {
    return toEntryDto(await this.state(node));
  }

  async state(node: TreeNode, path?: string): Promise<NodeState> {
    return { ...node, path: path ?? (await this.view.pathOf(node)) };
  }

  async noop(node: TreeNode): Promise<Plan> {
    return { kind: 'noop', node: await this.state(node) };
  }

  write(opKind: OpKind, changes: NodeState[], usageDelta: number): Plan {
    return { kind: 'write', opKind, changes, usageDelta };
  }

  /** The node with `patch` applied and its rev moved to this seq, with its resulting path. */
  async changed(node: TreeNode, patch: Partial<TreeNode>): Promise<NodeState> {
    const next: TreeNode = { ...node, ...patch, rev: this.seq };
    const parent = await this.view.node(next.parentId);
    const parentPath = parent ? await this.view.pathOf(parent) : '/';
    return { ...next, path: joinPath(parentPath, next.name) };
  }

  async newNode(id: string, parent: TreeNode, name: string, kind: 'file' | 'folder'): Promise<NodeState> {
    const dev = this.ctx.deviceId;
    return {
      id,
      parentId: parent.id,
      name,
      path: joinPath(await this.view.pathOf(parent), name),
      kind,
      size: 0,
      contentHash: null,
      blocks: [],
      mtime: null,
      deleted: false,
      deletedAt: null,
      trashRootId: null,
      rev: this.seq,
      createdSeq: this.seq,
      contentSeq: this.seq,
      contentDev: dev,
      locationSeq: this.seq,
      locationDev: dev,
      deletedSeq: 0,
      deletedDev: null,
    };
  }

  async existing(id: string): Promise<TreeNode> {
    if (id === this.ctx.ns) throw NamespaceErrors.rootImmutable();
    if (!isNodeId(id)) throw NamespaceErrors.invalidId();
    const node = await this.view.node(id);
    if (!node) throw NamespaceErrors.nodeNotFound();
    return node;
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
    return { parent: await this.liveFolder(op.parentId ?? this.ctx.ns), name: validName(op.name) };
  }

  /** A live folder to put something in. A parent deleted unseen is a conflict, not "missing". */
  async liveFolder(id: string): Promise<TreeNode> {
    if (id !== this.ctx.ns && !isNodeId(id)) throw NamespaceErrors.invalidId();
    const parent = await this.view.node(id);
    if (!parent) throw NamespaceErrors.parentNotFound();
    if (parent.deleted) {
      if (!seen(parent.deletedSeq, parent.deletedDev, this.ctx)) throw NamespaceErrors.unseenChange(await this.entry(parent));
      throw NamespaceErrors.parentNotFound();
    }
    if (parent.kind !== 'folder') throw NamespaceErrors.notAFolder();
    return parent;
  }

  async assertNameFree(parentId: string, name: string, self: string | null): Promise<void> {
    const other = await this.view.liveChild(parentId, name);
    if (other && other.id !== self) throw NamespaceErrors.nameTaken(await this.entry(other));
  }

  async assertLive(node: TreeNode): Promise<void> {
    if (!node.deleted) return;
    if (!seen(node.deletedSeq, node.deletedDev, this.ctx)) throw NamespaceErrors.unseenChange(await this.entry(node));
    throw NamespaceErrors.nodeNotFound();
  }

  async assertContentSeen(node: TreeNode): Promise<void> {
    if (!seen(node.contentSeq, node.contentDev, this.ctx)) throw NamespaceErrors.unseenChange(await this.entry(node));
  }

  /** For a delete: the device must have seen the node as it is now. */
  async assertUnchanged(node: TreeNode): Promise<void> {
    const ok = seen(node.contentSeq, node.contentDev, this.ctx) && seen(node.locationSeq, node.locationDev, this.ctx) && seen(node.deletedSeq, node.deletedDev, this.ctx);
    if (!ok) throw NamespaceErrors.unseenChange(await this.entry(node));
  }

  async revision(view: TreeView, nodeId: string, seq: number) {
    const rev = await view.revision(nodeId, seq);
    if (!rev) throw NamespaceErrors.revisionNotFound();
    return rev;
  }
}

function validName(raw: string): string {
  const problem = nameProblem(raw);
  if (problem) throw NamespaceErrors.invalidName(problem);
  return normalizeName(raw);
}

function joinPath(parentPath: string, name: string): string {
  return parentPath === '/' ? `/${name}` : `${parentPath}/${name}`;
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
