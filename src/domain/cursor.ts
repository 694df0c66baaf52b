import { isNodeId } from '../shared/ids.js';

/**
 * A position in a namespace's change stream: every change of entries up to `seq` was
 * delivered, plus the first `skip` changes of entry `seq + 1` (an entry too big for one page
 * is split across pages). `paging` marks the cursor of a delta page with more after it: the
 * reader is on its way to the head, so it is never told to relist. Opaque to clients: base64url
 * of "1.<ns>.<seq>.<skip>", with ".p" appended when paging.
 */
export interface CursorPosition {
  ns: string;
  seq: number;
  skip: number;
  paging?: boolean;
}

export function encodeCursor(p: CursorPosition): string {
  return Buffer.from(`1.${p.ns}.${p.seq}.${p.skip}${p.paging ? '.p' : ''}`, 'utf8').toString('base64url');
}

/** The position, or null for anything that is not a cursor this server made. */
export function decodeCursor(cursor: string): CursorPosition | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if ((parts.length !== 4 && (parts.length !== 5 || parts[4] !== 'p')) || parts[0] !== '1') return null;
  const [, ns, seqStr, skipStr] = parts as [string, string, string, string];
  if (!isNodeId(ns) || !/^\d{1,12}$/.test(seqStr) || !/^\d{1,9}$/.test(skipStr)) return null;
  return { ns, seq: Number(seqStr), skip: Number(skipStr), ...(parts.length === 5 ? { paging: true } : {}) };
}
