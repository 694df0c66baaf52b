import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { DatabaseTarget } from '../../infra/database/database.module.js';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { chunkDoc, chunkDocEntries, chunkEntries, chunkId, chunkOf, firstSeqOf, lastSeqOf, OpenChunks, type JournalChunkDoc } from './journal-chunks.js';
import type { JournalEntry } from './journal.types.js';
import {
  JOURNAL_CHUNK_MODEL,
  JOURNAL_ENTRY_MODEL,
  JOURNAL_HEAD_MODEL,
  JOURNAL_PAGE_MODEL,
  type JournalEntryDoc,
  type JournalHeadDoc,
  type JournalPageDoc,
} from './schemas/journal-entry.schema.js';

/** Changes kept inline in the entry document; larger entries spill into pages (16 MB BSON limit). */
export const CHANGES_PER_DOC = 500;

/** Sealed chunks looked up at once by a read that spans several (FerretDB answers them in parallel). */
const CHUNK_READ_AHEAD = 4;

export function entryId(ns: string, seq: number): string {
  return `${ns}:${String(seq).padStart(12, '0')}`;
}

/**
 * The journal's storage. Appends are inserts at a given seq; a taken seq is reported, never
 * overwritten. Reads go by `_id`: on MongoDB one range query; on FerretDB (which scans for
 * anything but an `_id` equality) one lookup per sealed chunk of 256 entries, point reads
 * for the rest (journal-chunks.ts).
 */
@Injectable()
export class JournalRepository implements OnModuleInit {
  private readonly log = new Logger(JournalRepository.name);
  private readonly pointReads: boolean;

  private readonly entries: Collection<JournalEntryDoc>;
  private readonly pages: Collection<JournalPageDoc>;
  private readonly heads: Collection<JournalHeadDoc>;
  private readonly chunks: Collection<JournalChunkDoc>;
  private readonly open = new OpenChunks();

  constructor(
    @InjectModel(JOURNAL_ENTRY_MODEL) private readonly entryModel: Model<JournalEntryDoc>,
    @InjectModel(JOURNAL_PAGE_MODEL) private readonly pageModel: Model<JournalPageDoc>,
    @InjectModel(JOURNAL_HEAD_MODEL) private readonly headModel: Model<JournalHeadDoc>,
    @InjectModel(JOURNAL_CHUNK_MODEL) private readonly chunkModel: Model<JournalChunkDoc>,
    target: DatabaseTarget,
  ) {
    this.pointReads = target.flavor === 'ferretdb';
    this.entries = collectionOf(entryModel);
    this.pages = collectionOf(pageModel);
    this.heads = collectionOf(headModel);
    this.chunks = collectionOf(chunkModel);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.entryModel.init(), this.pageModel.init(), this.headModel.init(), this.chunkModel.init()]);
  }

  /** Inserts the entry at its seq; false if that seq is taken (another writer won it). */
  async tryAppend(entry: JournalEntry): Promise<boolean> {
    const { doc, pageDocs } = toDocs(entry);
    // Pages first, under a fresh id: if the entry insert then loses its seq, the pages are
    // unreferenced garbage, never attached to another writer's entry.
    if (pageDocs.length > 0) await this.pages.insertMany(pageDocs, { ordered: true });
    try {
      await this.entries.insertOne(doc);
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        if (pageDocs.length > 0) await this.pages.deleteMany({ _id: { $in: pageDocs.map((p) => p._id) } });
        return false;
      }
      throw err;
    }
    await this.written(entry.ns, [doc]);
    return true;
  }

  /**
   * Inserts consecutive entries in one ordered insert. Returns how many went in: all, or
   * those before the first seq that was taken (the insert stops there, so the journal never
   * gets a gap from it).
   */
  async tryAppendMany(entries: readonly JournalEntry[]): Promise<number> {
    const docs = entries.map(toDocs);
    const pages = docs.flatMap((d) => d.pageDocs);
    if (pages.length > 0) await this.pages.insertMany(pages, { ordered: true });
    try {
      await this.entries.insertMany(
        docs.map((d) => d.doc),
        { ordered: true },
      );
      await this.written(entries[0]!.ns, docs.map((d) => d.doc));
      return entries.length;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // Which went in is read back, not taken from the error: FerretDB's count is not to be
      // trusted when the driver splits the insert. Ours are a prefix (the insert is ordered).
      const first = entries[0]!;
      const found = await this.readAfter(first.ns, first.seq - 1, entries.length);
      let inserted = 0;
      while (inserted < found.length && sameEntry(found[inserted]!, entries[inserted]!)) inserted++;
      const lost = docs.slice(inserted).flatMap((d) => d.pageDocs.map((p) => p._id));
      if (lost.length > 0) await this.pages.deleteMany({ _id: { $in: lost } });
      await this.written(first.ns, docs.slice(0, inserted).map((d) => d.doc));
      return inserted;
    }
  }

  async get(ns: string, seq: number): Promise<JournalEntry | null> {
    const doc = await this.entries.findOne({ _id: entryId(ns, seq) });
    return doc ? this.hydrate(doc) : null;
  }

  /** Entries after `afterSeq`, in order, at most `limit`, stopping at the first gap (the head). */
  async readAfter(ns: string, afterSeq: number, limit: number): Promise<JournalEntry[]> {
    let docs: JournalEntryDoc[];
    if (this.pointReads) {
      docs = await this.readByChunks(ns, afterSeq, limit);
    } else {
      docs = await this.entries
        .find({ _id: { $gt: entryId(ns, afterSeq), $lte: entryId(ns, 999_999_999_999) } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      // A seq that a writer has taken but not yet inserted shows as a gap: stop before it, so a
      // reader never skips a seq that appears a moment later.
      const contiguous = docs.findIndex((d, i) => d.seq !== afterSeq + 1 + i);
      if (contiguous !== -1) docs = docs.slice(0, contiguous);
    }
    return Promise.all(docs.map((d) => this.hydrate(d)));
  }

  /**
   * FerretDB: a sealed chunk is one lookup; the rest (the open chunk at the head) is read entry
   * by entry. The chunks a read spans are looked up CHUNK_READ_AHEAD at a time, used in order.
   */
  private async readByChunks(ns: string, afterSeq: number, limit: number): Promise<JournalEntryDoc[]> {
    const out: JournalEntryDoc[] = [];
    const lastChunk = chunkOf(afterSeq + limit);
    const lookups = new Map<number, Promise<{ doc: JournalChunkDoc | null } | { error: unknown }>>();
    const lookUp = async (chunk: number): Promise<JournalChunkDoc | null> => {
      for (let c = chunk; c <= Math.min(lastChunk, chunk + CHUNK_READ_AHEAD - 1); c++) {
        // Settled into a value: a lookup read ahead and never used must not be an unhandled rejection.
        if (!lookups.has(c)) lookups.set(c, this.chunks.findOne({ _id: chunkId(ns, c) }).then((doc) => ({ doc }), (error: unknown) => ({ error })));
      }
      const got = await lookups.get(chunk)!;
      if ('error' in got) throw got.error;
      return got.doc;
    };
    for (let seq = afterSeq + 1; out.length < limit; ) {
      const chunk = chunkOf(seq);
      const until = Math.min(lastSeqOf(chunk), seq + (limit - out.length) - 1);
      const sealed = await lookUp(chunk);
      const copied = sealed && chunkDocEntries(sealed);
      if (copied) {
        out.push(...copied.slice(seq - firstSeqOf(chunk), until - firstSeqOf(chunk) + 1));
        seq = until + 1;
        continue;
      }
      const docs = await this.pointRead(ns, seq, until);
      out.push(...docs);
      if (docs.length < until - seq + 1) break; // the head, or a seq taken but not yet written
      if (!sealed) await this.sealAfterRead(ns, chunk, seq, docs);
      seq = until + 1;
    }
    return out;
  }

  /** Entries `from … to` by `_id`, stopping at the first missing one. */
  private async pointRead(ns: string, from: number, to: number): Promise<JournalEntryDoc[]> {
    const docs: JournalEntryDoc[] = [];
    for (let seq = from; seq <= to; seq += 64) {
      const found = await Promise.all(
        Array.from({ length: Math.min(64, to - seq + 1) }, (_, i) => this.entries.findOne({ _id: entryId(ns, seq + i) })),
      );
      const firstGap = found.findIndex((d) => d === null);
      docs.push(...(found.slice(0, firstGap === -1 ? found.length : firstGap) as JournalEntryDoc[]));
      if (firstGap !== -1) break;
    }
    return docs;
  }

  /** After this process appended docs: seal each chunk they completed. */
  private async written(ns: string, docs: JournalEntryDoc[]): Promise<void> {
    if (!this.pointReads) return;
    for (const c of this.open.add(ns, docs)) await this.seal(ns, c.chunk, c.entries);
  }

  /**
   * After a reader read `docs` (seqs `from …`) of a chunk by points: remember them, and if they
   * reach the chunk's end, seal it — with this process's copy of its start, or by reading it.
   */
  private async sealAfterRead(ns: string, chunk: number, from: number, docs: JournalEntryDoc[]): Promise<void> {
    const prefix = this.open.prefix(ns, chunk, from);
    const completed = this.open.add(ns, docs);
    for (const c of completed) await this.seal(ns, c.chunk, c.entries);
    if (completed.length > 0 || docs.at(-1)?.seq !== lastSeqOf(chunk)) return;
    const start = prefix ?? (await this.pointRead(ns, firstSeqOf(chunk), from - 1));
    if (start.length !== from - firstSeqOf(chunk)) return;
    await this.seal(ns, chunk, chunkEntries([...start, ...docs]));
  }

  /** Stores a chunk's copy. A cache: a chunk already sealed, or a failed write, changes nothing. */
  private async seal(ns: string, chunk: number, entries: JournalEntryDoc[] | null): Promise<void> {
    try {
      await this.chunks.insertOne(chunkDoc(chunkId(ns, chunk), entries));
    } catch (err) {
      if (!isDuplicateKeyError(err)) this.log.warn(`sealing journal chunk ${chunkId(ns, chunk)} failed: ${(err as Error).message}`);
    }
  }

  /**
   * The highest seq, probing forward by `_id` from what the caller knows exists, or else from
   * the stored hint (which may lag, never lead).
   */
  async head(ns: string, knownAtLeast?: number): Promise<number> {
    let seq = knownAtLeast ?? (await this.heads.findOne({ _id: ns }))?.seq ?? 0;
    while (await this.entries.findOne({ _id: entryId(ns, seq + 1) }, { projection: { _id: 1 } })) seq++;
    return seq;
  }

  /** Raises the stored head hint. Not atomic on FerretDB, and need not be: it is only a hint. */
  async raiseHeadHint(ns: string, seq: number): Promise<void> {
    try {
      await this.heads.updateOne({ _id: ns, seq: { $lt: seq } }, { $set: { seq } }, { upsert: true });
    } catch (err) {
      // The upsert collides when the hint is already at or past seq: fine. Any other failure
      // must not fail a write whose entries are in: a lagging hint only costs probes.
      if (!isDuplicateKeyError(err)) this.log.warn(`raising the journal head hint of ${ns} failed: ${(err as Error).message}`);
    }
  }

  private async hydrate(doc: JournalEntryDoc): Promise<JournalEntry> {
    let changes = doc.changes;
    if (doc.pageCount > 0 && doc.pagesId) {
      const ids = Array.from({ length: doc.pageCount }, (_, i) => `${doc.pagesId}:${i}`);
      const pages = await Promise.all(ids.map((id) => this.pages.findOne({ _id: id })));
      changes = [...changes, ...pages.flatMap((p) => p?.changes ?? [])];
      if (changes.length !== doc.changeCount) throw new Error(`journal entry ${doc._id} is missing pages`);
    }
    return {
      ns: doc.ns,
      seq: doc.seq,
      at: doc.at,
      userId: doc.userId,
      deviceId: doc.deviceId,
      kind: doc.kind,
      opKey: doc.opKey,
      opHash: doc.opHash,
      changes,
      usage: doc.usage,
      ...(doc.conflicts ? { conflicts: doc.conflicts } : {}),
      ...(doc.resolved ? { resolved: doc.resolved } : {}),
      ...(doc.purgedRevisions ? { purgedRevisions: doc.purgedRevisions } : {}),
    };
  }
}

function toDocs(entry: JournalEntry): { doc: JournalEntryDoc; pageDocs: JournalPageDoc[] } {
  const inline = entry.changes.slice(0, CHANGES_PER_DOC);
  const rest = entry.changes.slice(CHANGES_PER_DOC);
  const pagesId = rest.length > 0 ? randomUUID() : null;
  const pageDocs: JournalPageDoc[] = [];
  for (let i = 0; i < rest.length; i += CHANGES_PER_DOC) {
    pageDocs.push({ _id: `${pagesId}:${pageDocs.length}`, changes: rest.slice(i, i + CHANGES_PER_DOC) });
  }
  const doc: JournalEntryDoc = {
    _id: entryId(entry.ns, entry.seq),
    ns: entry.ns,
    seq: entry.seq,
    at: entry.at,
    userId: entry.userId,
    deviceId: entry.deviceId,
    kind: entry.kind,
    opKey: entry.opKey,
    opHash: entry.opHash,
    changes: inline,
    changeCount: entry.changes.length,
    pagesId,
    pageCount: pageDocs.length,
    usage: entry.usage,
    ...(entry.conflicts ? { conflicts: entry.conflicts } : {}),
    ...(entry.resolved ? { resolved: entry.resolved } : {}),
    ...(entry.purgedRevisions ? { purgedRevisions: entry.purgedRevisions } : {}),
  };
  return { doc, pageDocs };
}

/** Whether a stored entry is the one we wrote (a node id made for it, its time and author). */
function sameEntry(stored: JournalEntry, ours: JournalEntry): boolean {
  const [a, b] = [stored.changes[0], ours.changes[0]];
  return (
    stored.seq === ours.seq &&
    stored.kind === ours.kind &&
    stored.deviceId === ours.deviceId &&
    stored.opKey === ours.opKey &&
    stored.at.getTime() === ours.at.getTime() &&
    a?.id === b?.id &&
    a?.rev === b?.rev
  );
}
