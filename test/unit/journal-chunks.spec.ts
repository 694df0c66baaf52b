import { describe, expect, it } from 'vitest';
import {
  CHUNK_ENTRIES,
  CHUNK_MAX_CHANGES,
  chunkEntries,
  chunkId,
  chunkOf,
  firstSeqOf,
  lastSeqOf,
  OpenChunks,
} from '../../src/modules/journal/journal-chunks.js';
import type { JournalEntryDoc } from '../../src/modules/journal/schemas/journal-entry.schema.js';

/** A stored entry as far as chunks look at it: its seq, its changes, its pages. */
function doc(seq: number, changes = 1, pageCount = 0): JournalEntryDoc {
  return {
    _id: `ns:${seq}`,
    seq,
    changes: Array.from({ length: changes }, () => ({})),
    pageCount,
  } as unknown as JournalEntryDoc;
}
const docs = (from: number, to: number, changes = 1): JournalEntryDoc[] =>
  Array.from({ length: to - from + 1 }, (_, i) => doc(from + i, changes));
const seqs = (entries: JournalEntryDoc[] | null) => entries?.map((d) => d.seq) ?? null;

describe('journal chunk arithmetic', () => {
  it('numbers chunks of 256 seqs from seq 1', () => {
    expect(CHUNK_ENTRIES).toBe(256);
    expect([chunkOf(1), chunkOf(256), chunkOf(257), chunkOf(512), chunkOf(513)]).toEqual([0, 0, 1, 1, 2]);
    expect([firstSeqOf(0), lastSeqOf(0), firstSeqOf(3), lastSeqOf(3)]).toEqual([1, 256, 769, 1024]);
  });

  it('names a chunk so that ids sort by chunk within a namespace', () => {
    expect(chunkId('u1', 7)).toBe('u1:0000000007');
    expect(chunkId('u1', 9) < chunkId('u1', 10)).toBe(true);
  });

  it('copies a chunk unless its entries are paged or hold too many changes', () => {
    expect(seqs(chunkEntries(docs(1, 256)))).toHaveLength(256);
    expect(chunkEntries([...docs(1, 10), doc(11, 1, 2), ...docs(12, 256)])).toBeNull();
    const per = Math.ceil((CHUNK_MAX_CHANGES + 1) / 256);
    expect(chunkEntries(docs(1, 256, per))).toBeNull();
    expect(chunkEntries(docs(1, 256, Math.floor(CHUNK_MAX_CHANGES / 256)))).not.toBeNull();
  });
});

describe('OpenChunks', () => {
  it('completes a chunk from appends in several batches, in seq order', () => {
    const open = new OpenChunks();
    expect(open.add('a', docs(1, 100))).toEqual([]);
    expect(open.add('a', docs(101, 200))).toEqual([]);
    const done = open.add('a', docs(201, 300));
    expect(done.map((c) => c.chunk)).toEqual([0]);
    expect(seqs(done[0]!.entries)).toEqual(Array.from({ length: 256 }, (_, i) => i + 1));
    // The docs past the chunk's end start the next one.
    expect(seqs(open.prefix('a', 1, 301))).toEqual(Array.from({ length: 44 }, (_, i) => 257 + i));
  });

  it('completes several chunks from one batch', () => {
    const done = new OpenChunks().add('a', docs(1, 800));
    expect(done.map((c) => [c.chunk, c.entries?.length])).toEqual([
      [0, 256],
      [1, 256],
      [2, 256],
    ]);
  });

  it('holds nothing it did not see from a chunk start, and drops a run broken by a gap', () => {
    const open = new OpenChunks();
    expect(open.add('a', docs(10, 300))).toEqual([]); // 1–9 not seen: chunk 0 cannot be completed here
    expect(open.prefix('a', 0, 100)).toBeNull();
    expect(seqs(open.prefix('a', 1, 301))).toHaveLength(44); // but chunk 1 started at 257
    expect(open.add('a', docs(400, 600))).toEqual([]); // 301–399 written elsewhere
    expect(open.prefix('a', 1, 400)).toBeNull();
    expect(open.add('a', docs(513, 768)).map((c) => c.chunk)).toEqual([2]);
  });

  it('marks a completed chunk too big to copy as read entry by entry', () => {
    const open = new OpenChunks();
    const done = open.add('a', [...docs(1, 5), doc(6, CHUNK_MAX_CHANGES), ...docs(7, 256)]);
    expect(done).toEqual([{ chunk: 0, entries: null }]);
    expect(new OpenChunks().add('a', [...docs(1, 5), doc(6, 1, 1), ...docs(7, 256)])).toEqual([{ chunk: 0, entries: null }]);
  });

  it('gives the held start of a chunk only when it reaches the asked seq', () => {
    const open = new OpenChunks();
    open.add('a', docs(1, 50));
    expect(seqs(open.prefix('a', 0, 31))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(seqs(open.prefix('a', 0, 51))).toHaveLength(50);
    expect(open.prefix('a', 0, 52)).toBeNull();
    expect(open.prefix('b', 0, 10)).toBeNull();
  });

  it('keeps at most its bound of namespaces, dropping the least recently touched', () => {
    const open = new OpenChunks(2);
    open.add('a', docs(1, 10));
    open.add('b', docs(1, 10));
    open.add('a', docs(11, 20));
    open.add('c', docs(1, 10));
    expect(open.size).toBe(2);
    expect(open.prefix('b', 0, 11)).toBeNull();
    expect(seqs(open.prefix('a', 0, 21))).toHaveLength(20);
    expect(seqs(open.prefix('c', 0, 11))).toHaveLength(10);
  });
});
