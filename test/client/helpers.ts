import type { LocalNode } from '../../client/src/state/store.js';
import type { Observed } from '../../client/src/sync/local-diff.js';
import { hashBuffer } from '../../src/shared/content-hash.js';

export const ROOT = '00000000-0000-7000-8000-000000000000';

/** A file body as the sync engine sees it: its block hashes, content hash and size. */
export const contentOf = (s: string): { blocks: string[]; contentHash: string; size: number } => {
  const { blocks, contentHash } = hashBuffer(Buffer.from(s));
  return { blocks, contentHash, size: Buffer.byteLength(s) };
};

/** A known (last-synced) node. */
export function knownNode(p: Partial<LocalNode> & { id: string; name: string }): LocalNode {
  return {
    parentId: ROOT,
    kind: 'file',
    contentHash: null,
    baseHash: null,
    size: 0,
    mtime: null,
    rev: 1,
    known: true,
    ino: null,
    birthMs: null,
    statSize: null,
    statMtimeMs: null,
    racy: false,
    ...p,
  };
}

/** What a scan saw on disk (an `Observed`). */
export function seenOnDisk(p: Partial<Observed> & { path: string }): Observed {
  const parts = p.path.split('/');
  return {
    parent: parts.slice(0, -1).join('/'),
    name: parts[parts.length - 1]!,
    kind: 'file',
    ino: 0,
    birthMs: 0,
    size: 0,
    mtimeMs: 1000,
    ...p,
  };
}

export const mapOf = (...nodes: LocalNode[]): Map<string, LocalNode> => new Map(nodes.map((n) => [n.id, n]));
