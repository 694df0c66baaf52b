import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection, Filter } from 'mongodb';
import type { Model } from 'mongoose';
import { mapLimit } from '../../common/async.js';
import { collectionOf } from '../../infra/database/collections.js';
import { insertIgnoringDuplicates, isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { nameKey } from '../../shared/names.js';
import type { JournalEntry } from '../journal/journal.types.js';
import type { NodeState } from '../../domain/node.js';
import { revisionRef, type Revision, type TreeNode } from '../../domain/node.js';
import { TreeModels } from './tree-model.js';
import type { TreeSource } from './tree-source.js';
import { NAMESPACE_MODEL, OP_RECORD_MODEL, type NamespaceDoc, type OpRecordDoc } from './schemas/namespace.schema.js';
import { NAME_MODEL, NODE_MODEL, type NameDoc, type NodeDoc } from './schemas/node.schema.js';
import { REVISION_MODEL, type RevisionDoc } from './schemas/revision.schema.js';

function toNode(d: NodeDoc): TreeNode {
  return {
    id: d.id,
    parentId: d.parentId,
    name: d.name,
    kind: d.kind,
    size: d.size,
    contentHash: d.contentHash ?? null,
    blocks: d.blocks ?? [],
    mtime: d.mtime ?? null,
    deleted: d.deleted,
    deletedAt: d.deletedAt ?? null,
    trashRootId: d.trashRootId ?? null,
    rev: d.rev,
    createdSeq: d.createdSeq,
    contentSeq: d.contentSeq,
    contentDev: d.contentDev ?? null,
    locationSeq: d.locationSeq,
    locationDev: d.locationDev ?? null,
    deletedSeq: d.deletedSeq,
    deletedDev: d.deletedDev ?? null,
    purged: d.purged ?? false,
  };
}

function toRevision(d: RevisionDoc): Revision {
  return {
    nodeId: d.nodeId,
    seq: d.seq,
    size: d.size,
    contentHash: d.contentHash,
    blocks: d.blocks,
    mtime: d.mtime ?? null,
    at: d.at,
    deviceId: d.deviceId ?? null,
  };
}

/*
 * Storage keys are scoped to the namespace. A node id is minted by a device and is unique
 * only within its own tree: two accounts may hold the same id without either seeing the
 * other's (docs/security.md, "ids"). Journal entries carry the bare ids; only this file
 * knows the keys.
 */
function nodeKey(ns: string, id: string): string {
  return `${ns}/${id}`;
}

function liveNameKey(ns: string, parentId: string, name: string): string {
  return `${ns}/${parentId}/${nameKey(name)}`;
}

/** A revision's key; `ref` is the namespace-local `<nodeId>:<seq>` that journal entries carry. */
function revisionKey(ns: string, ref: string): string {
  return `${ns}/${ref}`;
}

/** Bumped when the keys above change: the projection is then rebuilt from the journal. */
const PROJECTION_LAYOUT = 2;

/**
 * The tree projection: nodes, revisions, applied operations and namespace bookkeeping.
 * Holds no rules; every write here is an idempotent application of a journal entry.
 */
@Injectable()
export class TreeRepository implements OnModuleInit {
  private readonly logger = new Logger(TreeRepository.name);
  private readonly nodes: Collection<NodeDoc>;
  private readonly revisions: Collection<RevisionDoc>;
  private readonly namespaces: Collection<NamespaceDoc>;
  private readonly ops: Collection<OpRecordDoc>;
  private readonly names: Collection<NameDoc>;
  /** Namespaces known to exist (they are never deleted). */
  private readonly knownNamespaces = new Set<string>();

  constructor(
    @InjectModel(NODE_MODEL) private readonly nodeModel: Model<NodeDoc>,
    @InjectModel(NAME_MODEL) private readonly nameModel: Model<NameDoc>,
    @InjectModel(REVISION_MODEL) private readonly revisionModel: Model<RevisionDoc>,
    @InjectModel(NAMESPACE_MODEL) private readonly namespaceModel: Model<NamespaceDoc>,
    @InjectModel(OP_RECORD_MODEL) private readonly opModel: Model<OpRecordDoc>,
    private readonly models: TreeModels,
  ) {
    this.nodes = collectionOf(nodeModel);
    this.revisions = collectionOf(revisionModel);
    this.namespaces = collectionOf(namespaceModel);
    this.ops = collectionOf(opModel);
    this.names = collectionOf(nameModel);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.nodeModel.init(),
      this.nameModel.init(),
      this.revisionModel.init(),
      this.namespaceModel.init(),
      this.opModel.init(),
    ]);
    await this.migrateLayout();
  }

  /**
   * A projection written under an older key layout is dropped and folded again from the
   * journal, which holds every node state. Runs before the first request; a server that is
   * upgraded across a layout change is stopped in all its processes first (docs/database.md).
   */
  private async migrateLayout(): Promise<void> {
    const meta = this.nodeModel.db.collection('projection_meta') as unknown as Collection<{ _id: string; layout: number }>;
    if ((await meta.findOne({ _id: 'layout' }))?.layout === PROJECTION_LAYOUT) return;
    if (await this.nodes.findOne({}, { projection: { _id: 1 } })) {
      this.logger.warn({ layout: PROJECTION_LAYOUT }, 'the tree projection has an older layout: rebuilding it from the journal');
      await Promise.all([this.nodes.deleteMany({}), this.names.deleteMany({}), this.revisions.deleteMany({})]);
      await this.namespaces.updateMany({}, { $set: { appliedSeq: 0 } });
    }
    try {
      await meta.replaceOne({ _id: 'layout' }, { layout: PROJECTION_LAYOUT }, { upsert: true });
    } catch (err) {
      // Another process starting at the same moment wrote the marker first.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  // ── namespaces ──────────────────────────────────────────────────────────────────────────

  async namespace(ns: string): Promise<NamespaceDoc | null> {
    return this.namespaces.findOne({ _id: ns });
  }

  async ensureNamespace(ns: string, ownerId: string, at: Date): Promise<void> {
    if (this.knownNamespaces.has(ns)) return;
    if (!(await this.namespace(ns))) {
      try {
        await this.namespaces.insertOne({ _id: ns, ownerId, createdAt: at, appliedSeq: 0, usage: 0, usageSeq: 0 });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    if (this.knownNamespaces.size > 100_000) this.knownNamespaces.clear();
    this.knownNamespaces.add(ns);
  }

  /** Records progress of the projection and the namespace's usage (monotonic; a hint). */
  async markApplied(ns: string, seq: number, usage: number): Promise<void> {
    await this.namespaces.updateOne({ _id: ns, appliedSeq: { $lt: seq } }, { $set: { appliedSeq: seq, usage, usageSeq: seq } });
  }

  async *allNamespaceIds(): AsyncIterable<{ id: string; ownerId: string; appliedSeq: number }> {
    for await (const d of this.namespaces.find({}, { projection: { _id: 1, ownerId: 1, appliedSeq: 1 } })) {
      yield { id: d._id, ownerId: d.ownerId, appliedSeq: d.appliedSeq };
    }
  }

  // ── reads ───────────────────────────────────────────────────────────────────────────────

  /**
   * The reads of one namespace: its in-memory model when this process holds one (caught up
   * by the caller under the namespace lock), else the stored projection. Other namespaces'
   * nodes live under other keys.
   */
  source(ns: string): TreeSource {
    return this.models.get(ns) ?? new StoredTree(ns, this.nodes, this.names, this.revisions);
  }

  /**
   * Writes a journal entry's node states, unless the stored document is already as new or
   * newer. Idempotent, so a crashed or concurrent application is simply repeated.
   */
  async applyStates(ns: string, seq: number, states: readonly NodeState[]): Promise<void> {
    // Sequential: within an entry a later state may free or take a name an earlier one held.
    for (const s of states) {
      const { path: _path, ...rest } = s;
      const _id = nodeKey(ns, s.id);
      const key = liveNameKey(ns, s.parentId, s.name);
      const doc: NodeDoc = { _id, ns, ...rest, nameKey: s.deleted ? `~${_id}` : key, projSeq: seq };
      // The name index first, unconditionally: replaying entries in order always leaves it
      // pointing at the latest holder of each name.
      if (!s.deleted) await this.pointName(key, s.id);
      if (s.createdSeq === seq && (await this.tryInsert(doc))) continue; // created by this entry
      const res = await this.nodes.replaceOne({ _id, projSeq: { $lt: seq } }, doc);
      if (res.matchedCount > 0 || s.createdSeq === seq) continue;
      await this.tryInsert(doc);
    }
  }

  /**
   * A purge entry's node states (each the node's state before the entry with `purged` set and
   * no blocks, planner/purge.ts) as one update of every node the entry names, not one replace
   * each: a purge entry then holds its namespace's lock for one round trip, not one per
   * node. Equal to applyStates because entries are applied in order, so every node stands
   * at its state before the entry (or, applied by another process, already at or past it: the
   * guard leaves those alone). False when some node was not updated — stored at or past `seq`
   * already, or missing — and the caller applies the states one by one, as before.
   */
  async applyPurged(ns: string, seq: number, states: readonly NodeState[]): Promise<boolean> {
    if (states.some((s) => !s.purged || !s.deleted || s.blocks.length > 0)) return false;
    const ids = states.map((s) => nodeKey(ns, s.id));
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const res = await this.nodes.updateMany({ _id: { $in: part }, projSeq: { $lt: seq } }, { $set: { purged: true, blocks: [], projSeq: seq } });
      if (res.matchedCount < part.length) return false;
    }
    return true;
  }

  /**
   * The node states and revisions of consecutive entries in a few bulk writes: each node's
   * and each name's last state only; new names and nodes inserted unordered, the rest
   * replaced one by one in the order the entries left them. No upserts and no unordered
   * replaces: on FerretDB a unique clash caused by an update is an internal error, and two
   * processes catching up the same entries would race their upserts. Throws on anything
   * unexpected; the caller then applies entry by entry, which is idempotent, so a half-done
   * bulk write is simply repeated.
   *
   * `replay`: the entries come from the journal and may be stored already (the applied-seq
   * hint lags by up to MARK_EVERY entries after a restart; another process may have applied
   * them). What the projection holds is read first, by `_id`, a few hundred at a time, and only
   * what it lacks is written: re-applying a subtree delete of 1,000 stored nodes is then three
   * reads, not 2,000 refused writes (which made the first listing after a restart take 4 s).
   */
  async applyEntriesBulk(ns: string, entries: readonly JournalEntry[], replay = false): Promise<void> {
    const names = new Map<string, string>();
    const last = new Map<string, { doc: NodeDoc; created: boolean; order: number }>();
    let order = 0;
    const revisions: RevisionDoc[] = [];
    const first = entries[0]?.seq ?? 0;
    for (const e of entries) {
      for (const s of e.changes) {
        const { path: _path, ...rest } = s;
        const _id = nodeKey(ns, s.id);
        const key = liveNameKey(ns, s.parentId, s.name);
        if (!s.deleted) names.set(key, s.id);
        last.set(_id, { doc: { _id, ns, ...rest, nameKey: s.deleted ? `~${_id}` : key, projSeq: e.seq }, created: s.createdSeq >= first, order: order++ });
        if (s.kind === 'file' && s.contentSeq === e.seq && s.contentHash !== null) {
          const r: Revision = { nodeId: s.id, seq: e.seq, size: s.size, contentHash: s.contentHash, blocks: s.blocks, mtime: s.mtime, at: e.at, deviceId: e.deviceId };
          revisions.push({ _id: revisionKey(ns, revisionRef(r.nodeId, r.seq)), ns, ...r });
        }
      }
    }
    // Names first, as entry by entry: a name never points at nothing.
    const storedNames = replay ? await this.storedFields(this.names, [...names.keys()], 'nodeId') : new Map<string, unknown>();
    const nameDocs = [...names].filter(([key, nodeId]) => storedNames.get(key) !== nodeId).map(([key, nodeId]) => ({ _id: key, nodeId }));
    for (const i of await insertIgnoringDuplicates(this.names, nameDocs)) await this.names.replaceOne({ _id: nameDocs[i]!._id }, { nodeId: nameDocs[i]!.nodeId });
    const storedSeqs = replay ? await this.storedFields(this.nodes, [...last.keys()], 'projSeq') : new Map<string, unknown>();
    const storedAt = (doc: NodeDoc) => (storedSeqs.get(doc._id) as number | undefined) ?? -1;
    const states = [...last.values()].filter(({ doc }) => storedAt(doc) < doc.projSeq); // what is stored already stays
    const fresh = states.filter((n) => (replay ? !storedSeqs.has(n.doc._id) : n.created)).map((n) => n.doc);
    const taken = new Set((await insertIgnoringDuplicates(this.nodes, fresh)).map((i) => fresh[i]!._id));
    // In the order the entries wrote each node's last state, as entry by entry would.
    const replace = states.filter((n) => (replay ? storedSeqs.has(n.doc._id) : !n.created) || taken.has(n.doc._id)).sort((a, b) => a.order - b.order);
    for (const { doc } of replace) {
      const res = await this.nodes.replaceOne({ _id: doc._id, projSeq: { $lt: doc.projSeq } }, doc);
      if (res.matchedCount === 0) await this.tryInsert(doc); // newer already (a no-op), or not there yet
    }
    const storedRevisions = replay ? await this.storedFields(this.revisions, revisions.map((r) => r._id), '_id') : new Map<string, unknown>();
    await insertIgnoringDuplicates(this.revisions, revisions.filter((r) => !storedRevisions.has(r._id)));
  }

  /** `field` of each stored document among `ids`, by `_id`, 500 ids a query (FerretDB narrows `_id: {$in}`). */
  private async storedFields<T extends { _id: string }>(c: Collection<T>, ids: readonly string[], field: keyof T & string): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    for (let i = 0; i < ids.length; i += 500) {
      const docs = await c.find({ _id: { $in: ids.slice(i, i + 500) } } as Filter<T>, { projection: { [field]: 1 } }).toArray();
      for (const d of docs) found.set(d._id, (d as Record<string, unknown>)[field]);
    }
    return found;
  }

  private async pointName(key: string, nodeId: string): Promise<void> {
    try {
      await this.names.replaceOne({ _id: key }, { nodeId }, { upsert: true });
    } catch (err) {
      // Two processes applying the same entry both tried to create the entry: it exists now.
      if (!isDuplicateKeyError(err)) throw err;
      await this.names.replaceOne({ _id: key }, { nodeId });
    }
  }

  /** Inserts a node; false if one with its id exists (applied already, at this or a later seq). */
  private async tryInsert(doc: NodeDoc): Promise<boolean> {
    try {
      await this.nodes.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err) && (await this.nodes.findOne({ _id: doc._id }, { projection: { _id: 1 } }))) return false;
      throw err;
    }
  }

  // ── revisions ───────────────────────────────────────────────────────────────────────────

  async addRevisions(ns: string, revisions: readonly Revision[]): Promise<void> {
    await mapLimit(revisions, 8, async (r) => {
      try {
        await this.revisions.insertOne({ _id: revisionKey(ns, revisionRef(r.nodeId, r.seq)), ns, ...r });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    });
  }

  /** Deletes revisions by the `revisionRef`s a purge entry lists. */
  async deleteRevisions(ns: string, refs: readonly string[]): Promise<void> {
    const keys = refs.map((r) => revisionKey(ns, r));
    for (let i = 0; i < keys.length; i += 500) await this.revisions.deleteMany({ _id: { $in: keys.slice(i, i + 500) } });
  }

  /** Every (namespace, block) a retained revision uses — what garbage collection keeps. */
  async *referencedBlocks(): AsyncIterable<{ ns: string; blocks: string[] }> {
    for await (const r of this.revisions.find({}, { projection: { ns: 1, blocks: 1 } })) yield { ns: r.ns, blocks: r.blocks };
  }

  /** Bytes of every retained version (live, old, trashed), as users see them: before dedup. */
  async retainedBytes(): Promise<number> {
    let total = 0;
    for await (const r of this.revisions.find({}, { projection: { size: 1 } })) total += r.size;
    return total;
  }

  // ── operations ──────────────────────────────────────────────────────────────────────────

  async opRecord(opKey: string): Promise<OpRecordDoc | null> {
    return this.ops.findOne({ _id: opKey });
  }

  async addOpRecords(recs: readonly OpRecordDoc[]): Promise<void> {
    await insertIgnoringDuplicates(this.ops, recs);
  }

  async addOpRecord(rec: OpRecordDoc): Promise<void> {
    try {
      await this.ops.insertOne(rec);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}


/** One namespace's tree as the stored projection holds it; every read goes through an index. */
class StoredTree implements TreeSource {
  constructor(
    readonly ns: string,
    private readonly nodes: Collection<NodeDoc>,
    private readonly names: Collection<NameDoc>,
    private readonly revisions: Collection<RevisionDoc>,
  ) {}

  async node(id: string): Promise<TreeNode | null> {
    const d = await this.nodes.findOne({ _id: nodeKey(this.ns, id) });
    return d ? toNode(d) : null;
  }

  /** By two `_id` reads: the name index, then the node. */
  async liveChildByName(parentId: string, name: string): Promise<TreeNode | null> {
    const key = liveNameKey(this.ns, parentId, name);
    const hint = await this.names.findOne({ _id: key });
    if (!hint) return null;
    const d = await this.nodes.findOne({ _id: nodeKey(this.ns, hint.nodeId) });
    // The index may point at a node that has since moved on: then the name is free.
    return d && !d.deleted && d.nameKey === key ? toNode(d) : null;
  }

  async children(parentId: string, which: 'live' | 'all'): Promise<TreeNode[]> {
    const ns = this.ns;
    const filter = which === 'live' ? { ns, parentId, deleted: false } : { ns, parentId };
    return (await this.nodes.find(filter).toArray()).map(toNode);
  }

  async liveChildrenPage(parentId: string, afterKey: string | null, limit: number): Promise<TreeNode[]> {
    const ns = this.ns;
    const prefix = `${ns}/${parentId}`;
    const docs = await this.nodes
      .find({
        ns,
        parentId,
        deleted: false,
        // '0' follows '/': the upper bound keeps the range inside this parent on the index.
        nameKey: { [afterKey === null ? '$gte' : '$gt']: `${prefix}/${afterKey ?? ''}`, $lt: `${prefix}0` },
      })
      .sort({ nameKey: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toNode);
  }

  async trashRoots(limit: number, beforeSeq: number | null): Promise<TreeNode[]> {
    const docs = await this.nodes
      .find({ ns: this.ns, deleted: true, ...(beforeSeq === null ? {} : { deletedSeq: { $lt: beforeSeq } }) })
      .sort({ deletedSeq: -1, id: 1 })
      .toArray();
    return docs
      .map(toNode)
      .filter((n) => n.trashRootId === n.id)
      .slice(0, limit);
  }

  async expiredTrashRoots(before: Date): Promise<TreeNode[]> {
    const docs = await this.nodes.find({ ns: this.ns, deleted: true, deletedAt: { $lt: before } }).toArray();
    return docs.map(toNode).filter((n) => n.trashRootId === n.id && !n.purged);
  }

  async revisionsOf(nodeId: string): Promise<Revision[]> {
    const docs = await this.revisions.find({ ns: this.ns, nodeId }).toArray();
    return docs.map(toRevision).sort((a, b) => b.seq - a.seq);
  }

  async revision(nodeId: string, seq: number): Promise<Revision | null> {
    const d = await this.revisions.findOne({ _id: revisionKey(this.ns, revisionRef(nodeId, seq)) });
    return d ? toRevision(d) : null;
  }

  async revisionsBefore(before: Date): Promise<Revision[]> {
    return (await this.revisions.find({ ns: this.ns, at: { $lt: before } }).toArray()).map(toRevision);
  }

  async referencesBlock(hash: string): Promise<boolean> {
    return (await this.revisions.findOne({ ns: this.ns, blocks: hash }, { projection: { _id: 1 } })) !== null;
  }
}
