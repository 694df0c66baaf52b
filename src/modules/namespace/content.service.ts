import { pipeline } from 'node:stream/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BLOCK_SIZE, isBlockHash } from '../../shared/content-hash.js';
import type { AuthContext } from '../auth/auth.types.js';
import { BlocksErrors } from '../blocks/blocks.errors.js';
import { BlocksService } from '../blocks/blocks.service.js';
import type { ContentQuery } from './dto/read.dto.js';
import { FilesService } from './files.service.js';
import { NamespaceErrors } from './namespace.errors.js';
import { TreeRepository } from './tree.repository.js';

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

/** Streams file content block by block, so memory stays flat at any size. */
@Injectable()
export class ContentService {
  private readonly logger = new Logger(ContentService.name);

  constructor(
    private readonly files: FilesService,
    private readonly blocks: BlocksService,
    private readonly tree: TreeRepository,
  ) {}

  async download(auth: AuthContext, q: ContentQuery, req: Request, res: Response): Promise<void> {
    const view = await this.files.view(auth);
    const node = await this.files.resolve(view, q);
    if (node.kind !== 'file') throw NamespaceErrors.notAFile();
    if (node.purged && q.revision === undefined) throw NamespaceErrors.purged();
    let version = { size: node.size, contentHash: node.contentHash!, blocks: node.blocks, mtime: node.mtime };
    if (q.revision !== undefined) {
      const rev = await this.tree.revision(view.ns, node.id, q.revision);
      if (!rev) throw NamespaceErrors.revisionNotFound();
      version = rev;
    }

    const etag = `"${version.contentHash}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(node.name)}`);
    if (version.mtime) res.setHeader('Last-Modified', version.mtime.toUTCString());
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    // If-Range: serve the range only if the client's copy is still this version.
    const ifRange = req.headers['if-range'];
    const range = ifRange !== undefined && ifRange !== etag ? 'none' : parseRange(req.headers.range, version.size);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${version.size}`);
      throw NamespaceErrors.rangeNotSatisfiable(version.size);
    }
    const { start, end } = range === 'none' ? { start: 0, end: version.size - 1 } : range;
    res.status(range === 'none' ? 200 : 206);
    if (range !== 'none') res.setHeader('Content-Range', `bytes ${start}-${end}/${version.size}`);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || version.size === 0) {
      res.end();
      return;
    }
    await this.streamBlocks(version.blocks, start, end, res);
  }

  /** A raw block, only if one of the caller's files (current, old or trashed) uses it. */
  async downloadBlock(auth: AuthContext, hash: string, res: Response): Promise<void> {
    if (!isBlockHash(hash)) throw BlocksErrors.invalidHash();
    const view = await this.files.view(auth);
    if (!(await this.tree.namespaceReferencesBlock(view.ns, hash))) throw BlocksErrors.notFound();
    const body = await this.blocks.read(hash);
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('ETag', `"${hash}"`);
    try {
      await pipeline(body, res);
    } catch (err) {
      // A client that hangs up mid-download is no server error; anything else is logged.
      if (!res.destroyed || res.writableFinished) this.logger.warn({ err, hash }, 'block download failed');
      res.destroy();
    }
  }

  private async streamBlocks(blocks: string[], start: number, end: number, res: Response): Promise<void> {
    const first = Math.floor(start / BLOCK_SIZE);
    const last = Math.floor(end / BLOCK_SIZE);
    const store = this.blocks;
    // One pipeline for the whole answer: a pipeline per block would leave its listeners on
    // the response each time (MaxListenersExceededWarning past 10 blocks, growing with the file).
    async function* ranges(): AsyncGenerator<Buffer> {
      for (let i = first; i <= last; i++) {
        const blockStart = i * BLOCK_SIZE;
        const from = Math.max(start, blockStart) - blockStart;
        const to = Math.min(end, blockStart + BLOCK_SIZE - 1) - blockStart;
        yield* await store.read(blocks[i]!, { start: from, end: to });
      }
    }
    try {
      await pipeline(ranges, res);
    } catch (err) {
      this.logger.warn({ err }, 'download interrupted');
      res.destroy();
    }
  }
}
