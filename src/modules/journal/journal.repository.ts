import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { DatabaseTarget } from '../../infra/database/database.module.js';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import type { JournalEntry } from './journal.types.js';
import {
  JOURNAL_ENTRY_MODEL,
  JOURNAL_HEAD_MODEL,
  JOURNAL_PAGE_MODEL,
  type JournalEntryDoc,
  type JournalHeadDoc,
  type JournalPageDoc,
} from './schemas/journal-entry.schema.js';

/** Changes kept inline in the entry document; larger entries spill into pages (16 MB BSON limit). */
export const CHANGES_PER_DOC = 500;

export function entryId(ns: string, seq: number): string {
  return `${ns}:${String(seq).padStart(12, '0')}`;
}

/**
 * The journal's storage. Appends are inserts at a given seq; a taken seq is reported, never
 * overwritten. Reads go by `_id`: point reads on FerretDB (which scans for anything but an
 * `_id` equality), one range query on MongoDB.
 */
@Injectable()
export class JournalRepository implements OnModuleInit {
  private readonly pointReads: boolean;

  private readonly entries: Collection<JournalEntryDoc>;
  private readonly pages: Collection<JournalPageDoc>;
  private readonly heads: Collection<JournalHeadDoc>;

  constructor(
    @InjectModel(JOURNAL_ENTRY_MODEL) private readonly entryModel: Model<JournalEntryDoc>,
    @InjectModel(JOURNAL_PAGE_MODEL) private readonly pageModel: Model<JournalPageDoc>,
    @InjectModel(JOURNAL_HEAD_MODEL) private readonly headModel: Model<JournalHeadDoc>,
    target: DatabaseTarget,
  ) {
    this.pointReads = target.flavor === 'ferretdb';
    this.entries = collectionOf(entryModel);
    this.pages = collectionOf(pageModel);
    this.heads = collectionOf(headModel);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.entryModel.init(), this.pageModel.init(), this.headModel.init()]);
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
      docs = [];
      const batch = Math.min(limit, 64);
      for (let seq = afterSeq + 1; docs.length < limit; seq += batch) {
        const found = await Promise.all(
          Array.from({ length: Math.min(batch, limit - docs.length) }, (_, i) =>
            this.entries.findOne({ _id: entryId(ns, seq + i) }),
          ),
        );
        const firstGap = found.findIndex((d) => d === null);
        docs.push(...(found.slice(0, firstGap === -1 ? found.length : firstGap) as JournalEntryDoc[]));
        if (firstGap !== -1) break;
      }
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
      // The upsert collides when the hint is already at or past seq: fine.
      if (!isDuplicateKeyError(err)) throw err;
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
