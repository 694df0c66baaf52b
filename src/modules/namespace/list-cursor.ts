import { NamespaceErrors } from './namespace.errors.js';

/**
 * Where a folder listing left off, as the opaque `cursor` of its page: the listed folder,
 * recursion, and the walk's stack of [folderId, last folded name listed there].
 */
export interface ListCursor {
  f: string;
  r: boolean;
  s: [string, string | null][];
}

export function encodeListCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

export function decodeListCursor(s: string): ListCursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ListCursor;
    const ok =
      typeof c.f === 'string' &&
      typeof c.r === 'boolean' &&
      Array.isArray(c.s) &&
      c.s.length > 0 &&
      c.s.length <= 1000 &&
      c.s.every((x) => Array.isArray(x) && typeof x[0] === 'string' && (x[1] === null || typeof x[1] === 'string'));
    if (ok) return c;
  } catch {
    // fall through
  }
  throw NamespaceErrors.invalidPageCursor();
}
