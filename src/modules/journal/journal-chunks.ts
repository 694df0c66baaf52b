import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, BSON } from 'mongodb';
import type { JournalEntryDoc } from './schemas/journal-entry.schema.js';

/**
 * Sealed chunks: on FerretDB, where only `_id` equality is indexed, reading the journal is one
 * point read per entry. So every complete run of CHUNK_ENTRIES entries (seqs
 * `c·256+1 … (c+1)·256`) is stored a second time as one document, and a reader fetches a
 * chunk with one lookup. Entries never change once written, so a chunk can never be stale;
 * a missing chunk only means reading entry by entry, as before.
 *
 * The entries are stored packed, as one BSON binary, not as an array of subdocuments: FerretDB
 * converts every field of every document it returns (about 2,500 entry documents a second,
 * measured), so a chunk of 256 entries as subdocuments costs what 256 entries cost, while one
 * binary value costs next to nothing; the driver's BSON parser unpacks it here. And deflated:
 * FerretDB keeps a binary as base64 inside JSON, so what a read costs it grows with the bytes —
 * 256 folder creates are 196 KB of BSON (13 ms a read) and 13 KB deflated (field names, ids and
 * paths repeat); deflating at level 1 takes about a millisecond once, inflating 0.3 ms a read.
 */
export const CHUNK_ENTRIES = 256;

/**
 * A chunk whose entries hold more changes than this (a large subtree delete) is not copied,
 * to keep chunk documents small; its document then says so (`deflated: null`) and readers
 * read it entry by entry. Entries spilling into pages are never copied either.
 */
export const CHUNK_MAX_CHANGES = 4096;

export interface JournalChunkDoc {
  _id: string;
  /** The chunk's entries in seq order, packed and deflated (chunkDoc), or null for "read entry by entry". */
  deflated?: Binary | null;
  /**
   * Chunks sealed by versions before deflating: the same, not deflated. Read still; a process
   * of such a version reads a newer chunk (no `packed`) entry by entry, so versions can mix.
   */
  packed?: Binary | null;
}

/** The document that seals chunk `id` with these entries (null: read it entry by entry). */
export function chunkDoc(id: string, entries: readonly JournalEntryDoc[] | null): JournalChunkDoc {
  return { _id: id, deflated: entries ? new Binary(deflateRawSync(BSON.serialize({ entries }), { level: 1 })) : null };
}

/** A chunk document's entries, or null when it is to be read entry by entry. */
export function chunkDocEntries(doc: JournalChunkDoc): JournalEntryDoc[] | null {
  const bin = doc.deflated ?? doc.packed;
  if (!bin) return null;
  const bytes = bin.read(0, bin.length());
  return (BSON.deserialize(doc.deflated ? inflateRawSync(bytes) : bytes) as { entries: JournalEntryDoc[] }).entries;
}

export const chunkOf = (seq: number): number => Math.floor((seq - 1) / CHUNK_ENTRIES);
export const firstSeqOf = (chunk: number): number => chunk * CHUNK_ENTRIES + 1;
export const lastSeqOf = (chunk: number): number => (chunk + 1) * CHUNK_ENTRIES;
export const chunkId = (ns: string, chunk: number): string => `${ns}:${String(chunk).padStart(10, '0')}`;

/** What a chunk document holds for these docs (the whole chunk, in order). */
export function chunkEntries(docs: readonly JournalEntryDoc[]): JournalEntryDoc[] | null {
  let changes = 0;
  for (const d of docs) {
    if (d.pageCount > 0) return null;
    changes += d.changes.length;
  }
  return changes > CHUNK_MAX_CHANGES ? null : [...docs];
}

interface OpenChunk {
  chunk: number;
  /** The chunk's docs from its first seq on, contiguous; null once they are too big to copy. */
  docs: JournalEntryDoc[] | null;
  next: number;
  changes: number;
}

/**
 * The entries of each namespace's current chunk that this process wrote or read, so that the
 * writer of a chunk's last entry can seal it without reading the chunk back. Bounded to
 * `maxNamespaces` namespaces (least recently touched dropped); a dropped one is sealed later
 * by a reader, at the cost of reading the chunk's start.
 */
export class OpenChunks {
  private readonly open = new Map<string, OpenChunk>();

  constructor(private readonly maxNamespaces = 256) {}

  /**
   * Takes docs of one namespace in seq order. Returns each chunk they completed with what its
   * document is to hold (entries, or null for "read entry by entry").
   */
  add(ns: string, docs: readonly JournalEntryDoc[]): { chunk: number; entries: JournalEntryDoc[] | null }[] {
    const completed: { chunk: number; entries: JournalEntryDoc[] | null }[] = [];
    let o = this.open.get(ns);
    for (const d of docs) {
      if (!o || o.next !== d.seq) {
        if (d.seq !== firstSeqOf(chunkOf(d.seq))) {
          o = undefined;
          continue;
        }
        o = { chunk: chunkOf(d.seq), docs: [], next: d.seq, changes: 0 };
      }
      o.changes += d.changes.length;
      if (o.docs && (d.pageCount > 0 || o.changes > CHUNK_MAX_CHANGES)) o.docs = null;
      o.docs?.push(d);
      o.next = d.seq + 1;
      if (d.seq === lastSeqOf(o.chunk)) {
        completed.push({ chunk: o.chunk, entries: o.docs });
        o = undefined;
      }
    }
    this.open.delete(ns);
    if (o) {
      this.open.set(ns, o);
      if (this.open.size > this.maxNamespaces) this.open.delete(this.open.keys().next().value!);
    }
    return completed;
  }

  /** The held docs of `chunk` before `seq`, when this process holds all of them. */
  prefix(ns: string, chunk: number, seq: number): JournalEntryDoc[] | null {
    const o = this.open.get(ns);
    if (!o || o.chunk !== chunk || !o.docs || o.next < seq) return null;
    return o.docs.slice(0, seq - firstSeqOf(chunk));
  }

  /** How many namespaces have an open chunk held (for tests). */
  get size(): number {
    return this.open.size;
  }
}
