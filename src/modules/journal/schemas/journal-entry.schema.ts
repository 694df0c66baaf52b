import { Schema } from 'mongoose';
import { OP_KINDS, type NodeState } from '../../../domain/node.js';
import type { JournalChunkDoc } from '../journal-chunks.js';
import { type JournalEntry } from '../journal.types.js';

export const JOURNAL_ENTRY_MODEL = 'JournalEntry';
export const JOURNAL_PAGE_MODEL = 'JournalPage';
export const JOURNAL_HEAD_MODEL = 'JournalHead';
export const JOURNAL_CHUNK_MODEL = 'JournalChunk';

/**
 * `_id` is `<ns>:<seq, 12 digits>`: the unique `_id` is what lets exactly one writer take a
 * sequence number, on MongoDB and FerretDB alike, without transactions. Zero-padding keeps
 * `_id` order equal to seq order within a namespace (range reads on MongoDB).
 */
export interface JournalEntryDoc extends JournalEntry {
  _id: string;
  /** All changes: the first ones are inline in `changes`, the rest in pages. */
  changeCount: number;
  pagesId: string | null;
  pageCount: number;
}

export interface JournalPageDoc {
  _id: string;
  changes: NodeState[];
}

/** A hint of the highest seq of a namespace; readers probe forward from it. */
export interface JournalHeadDoc {
  _id: string;
  seq: number;
}

const NodeStateSchema = new Schema<NodeState>(
  {
    id: String,
    parentId: String,
    name: String,
    path: String,
    kind: String,
    size: Number,
    contentHash: { type: String, default: null },
    blocks: [String],
    mtime: { type: Date, default: null },
    deleted: Boolean,
    deletedAt: { type: Date, default: null },
    trashRootId: { type: String, default: null },
    rev: Number,
    createdSeq: Number,
    contentSeq: Number,
    contentDev: { type: String, default: null },
    locationSeq: Number,
    locationDev: { type: String, default: null },
    deletedSeq: Number,
    deletedDev: { type: String, default: null },
    purged: Boolean,
  },
  { _id: false },
);

export const JournalEntrySchema = new Schema<JournalEntryDoc>(
  {
    _id: { type: String, required: true },
    ns: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    userId: { type: String, required: true },
    deviceId: { type: String, default: null },
    kind: { type: String, enum: OP_KINDS, required: true },
    opKey: { type: String, default: null },
    opHash: { type: String, default: null },
    changes: { type: [NodeStateSchema], required: true },
    changeCount: { type: Number, required: true },
    pagesId: { type: String, default: null },
    pageCount: { type: Number, required: true },
    usage: { type: Number, required: true },
    conflicts: [{ _id: false, kind: String, nodeIds: [String] }],
    resolved: [{ _id: false, conflictId: String, resolution: String }],
    purgedRevisions: [String],
  },
  { collection: 'journal', versionKey: false },
);
// A second guard, beside `_id`, for MongoDB range reads by (ns, seq).
JournalEntrySchema.index({ ns: 1, seq: 1 }, { unique: true });

export const JournalPageSchema = new Schema<JournalPageDoc>(
  { _id: { type: String, required: true }, changes: { type: [NodeStateSchema], required: true } },
  { collection: 'journal_pages', versionKey: false },
);

export const JournalHeadSchema = new Schema<JournalHeadDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { collection: 'journal_heads', versionKey: false },
);

/** Sealed chunks (see journal-chunks.ts): written and read through the driver, never cast. */
export const JournalChunkSchema = new Schema<JournalChunkDoc>(
  { _id: { type: String, required: true }, deflated: { type: Buffer, default: null }, packed: { type: Buffer, default: undefined } },
  { collection: 'journal_chunks', versionKey: false },
);
