import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { TREE_SNAPSHOT_MODEL, type TreeSnapshotDoc } from './schemas/tree-snapshot.schema.js';
import type { SnapshotStore, TreeSnapshot } from './tree-model.js';

/** Nodes (and, separately, revisions) per chunk document: about 1 MB, far from the 16 MB limit. */
const PER_CHUNK = 2000;

const chunkId = (ns: string, seq: number, n: number): string => `${ns}@${seq}#${n}`;

/**
 * Snapshots of namespaces' trees. A snapshot is the fold of the journal up to its seq, so it
 * never goes stale, only old: a model loaded from it folds the entries after it. Chunks are
 * written first and the head last, and an old snapshot's chunks are deleted only after the
 * head names the new one, so a reader finds a whole snapshot or (rarely, racing a delete)
 * a missing chunk — then it folds the journal instead.
 */
@Injectable()
export class TreeSnapshotsRepository implements SnapshotStore, OnModuleInit {
  private readonly docs: Collection<TreeSnapshotDoc>;

  constructor(@InjectModel(TREE_SNAPSHOT_MODEL) private readonly model: Model<TreeSnapshotDoc>) {
    this.docs = collectionOf(model);
  }

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async load(ns: string): Promise<TreeSnapshot | null> {
    const head = await this.docs.findOne({ _id: ns });
    if (!head?.seq || head.chunks === undefined) return null;
    const chunks = await Promise.all(Array.from({ length: head.chunks }, (_, n) => this.docs.findOne({ _id: chunkId(ns, head.seq!, n) })));
    if (chunks.some((c) => c === null)) return null;
    return { seq: head.seq, nodes: chunks.flatMap((c) => c!.nodes ?? []), revisions: chunks.flatMap((c) => c!.revisions ?? []) };
  }

  async save(ns: string, s: TreeSnapshot): Promise<void> {
    const count = Math.max(1, Math.ceil(s.nodes.length / PER_CHUNK), Math.ceil(s.revisions.length / PER_CHUNK));
    const chunks: TreeSnapshotDoc[] = Array.from({ length: count }, (_, n) => ({
      _id: chunkId(ns, s.seq, n),
      nodes: s.nodes.slice(n * PER_CHUNK, (n + 1) * PER_CHUNK),
      revisions: s.revisions.slice(n * PER_CHUNK, (n + 1) * PER_CHUNK),
    }));
    try {
      await this.docs.insertMany(chunks, { ordered: false });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // another process wrote the same snapshot
    }
    const old = await this.docs.findOne({ _id: ns });
    if (old?.seq !== undefined && old.seq >= s.seq) return; // a newer one is there already
    const head: TreeSnapshotDoc = { _id: ns, seq: s.seq, chunks: count, at: new Date() };
    if (old) {
      // Replace, never upsert: on FerretDB two racing upserts can clash inside an update.
      const res = await this.docs.replaceOne({ _id: ns, seq: { $lt: s.seq } }, head);
      if (res.matchedCount === 0) return;
    } else {
      try {
        await this.docs.insertOne(head);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        return;
      }
    }
    if (old?.seq !== undefined && old.chunks !== undefined) {
      for (let n = 0; n < old.chunks; n++) await this.docs.deleteOne({ _id: chunkId(ns, old.seq, n) });
    }
  }
}
