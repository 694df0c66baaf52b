import { Injectable } from '@nestjs/common';
import type { Download, DownloadConditions } from '../../common/http/download.js';
import { BLOCK_SIZE, isBlockHash } from '../../shared/content-hash.js';
import type { AuthContext } from '../auth/auth.types.js';
import { BlocksErrors } from '../blocks/blocks.errors.js';
import { BlocksService } from '../blocks/blocks.service.js';
import type { ContentQuery } from './dto/read.dto.js';
import { FileReads } from './file-reads.service.js';
import { NamespaceErrors } from './namespace.errors.js';

/** A single byte range [start, end] (inclusive), or why there is none. */
export type RangeRequest = { start: number; end: number } | 'none' | 'unsatisfiable';

/**
 * Parses a Range header for a resource of `size` bytes. Only a single `bytes=` range is
 * served; anything else is ignored (a full answer is always allowed).
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return 'none';
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'none';
  if (size === 0) return 'none';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return 'none';
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** If-None-Match: `*`, or a list of (possibly weak) ETags one of which is ours. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/** Describes downloads of file content and blocks; the bytes stream block by block, so memory stays flat at any size. */
@Injectable()
export class ContentService {
  constructor(
    private readonly reads: FileReads,
    private readonly blocks: BlocksService,
  ) {}

  async download(auth: AuthContext, q: ContentQuery, when: DownloadConditions): Promise<Download> {
    const view = await this.reads.view(auth);
    const node = await this.reads.resolve(view, q);
    if (node.kind !== 'file') throw NamespaceErrors.notAFile();
    if (node.purged && q.revision === undefined) throw NamespaceErrors.purged();
    let version = { size: node.size, contentHash: node.contentHash!, blocks: node.blocks, mtime: node.mtime };
    if (q.revision !== undefined) {
      const rev = await view.revision(node.id, q.revision);
      if (!rev) throw NamespaceErrors.revisionNotFound();
      version = rev;
    }

    const etag = `"${version.contentHash}"`;
    const headers: Record<string, string> = {
      ETag: etag,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, no-cache',
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(node.name)}`,
    };
    if (version.mtime) headers['Last-Modified'] = version.mtime.toUTCString();
    if (etagMatches(when.ifNoneMatch, etag)) return { status: 304, headers, body: null };
    // If-Range: serve the range only if the client's copy is still this version.
    const range = when.ifRange !== undefined && when.ifRange !== etag ? 'none' : parseRange(when.range, version.size);
    if (range === 'unsatisfiable') throw NamespaceErrors.rangeNotSatisfiable(version.size);
    const { start, end } = range === 'none' ? { start: 0, end: version.size - 1 } : range;
    if (range !== 'none') headers['Content-Range'] = `bytes ${start}-${end}/${version.size}`;
    headers['Content-Type'] = 'application/octet-stream';
    headers['Content-Length'] = String(Math.max(0, end - start + 1));
    const body = when.headOnly || version.size === 0 ? null : () => this.blockRanges(version.blocks, start, end);
    return { status: range === 'none' ? 200 : 206, headers, body };
  }

  /** A raw block, only if one of the caller's files (current, old or trashed) uses it. */
  async downloadBlock(auth: AuthContext, hash: string): Promise<Download> {
    if (!isBlockHash(hash)) throw BlocksErrors.invalidHash();
    const view = await this.reads.view(auth);
    if (!(await view.referencesBlock(hash))) throw BlocksErrors.notFound();
    const body = await this.blocks.read(hash);
    return { status: 200, headers: { 'Content-Type': 'application/octet-stream', ETag: `"${hash}"` }, body: () => body };
  }

  /** The bytes [start, end] of a file made of `blocks`, read block by block. */
  private async *blockRanges(blocks: string[], start: number, end: number): AsyncGenerator<Buffer> {
    const first = Math.floor(start / BLOCK_SIZE);
    const last = Math.floor(end / BLOCK_SIZE);
    for (let i = first; i <= last; i++) {
      const blockStart = i * BLOCK_SIZE;
      const from = Math.max(start, blockStart) - blockStart;
      const to = Math.min(end, blockStart + BLOCK_SIZE - 1) - blockStart;
      yield* await this.blocks.read(blocks[i]!, { start: from, end: to });
    }
  }
}
