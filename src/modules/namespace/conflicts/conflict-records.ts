import type { JournalEntry } from '../../journal/journal.types.js';
import type { ConflictDoc } from './schemas/conflict.schema.js';

/** A conflict the server settled, as the namespace keeps it beside the tree. */
export type ConflictRecord = Omit<ConflictDoc, '_id'> & { id: string };

/** The record id of the `n`th conflict the journal entry `seq` of `ns` settled. */
export function conflictId(ns: string, seq: number, n: number): string {
  return `${ns}.${seq}.${n}`;
}

export const CONFLICT_ID = /^[0-9a-f-]{36}\.\d{1,12}\.\d{1,4}$/;

/** The conflict records a journal entry creates (projected like the tree: same entry, same records). */
export function conflictRecordsOf(e: JournalEntry): ConflictRecord[] {
  return (e.conflicts ?? []).map((c, i) => ({
    id: conflictId(e.ns, e.seq, i),
    ns: e.ns,
    userId: e.userId,
    deviceId: e.deviceId,
    kind: c.kind,
    nodeIds: c.nodeIds,
    opKind: e.kind,
    seq: e.seq,
    at: e.at,
    resolvedAt: null,
    resolution: null,
    resolvedSeq: null,
  }));
}
