import { Injectable } from '@nestjs/common';
import { rootNamespaceOf } from '../../../domain/namespace.js';
import type { AuthContext } from '../../auth/auth.types.js';
import type { ConflictPageDto, ConflictsQuery } from '../dto/read.dto.js';
import { ProjectionService } from '../projection.service.js';
import { CONFLICT_ID, type ConflictRecord } from './conflict-records.js';
import { ConflictsErrors } from './conflicts.errors.js';
import { ConflictsRepository } from './conflicts.repository.js';

export interface ConflictFilter {
  ns?: string;
  userId?: string;
  unresolved?: boolean;
}

/** Conflict records for the API and for the writer: pages with opaque cursors, and one open conflict. */
@Injectable()
export class ConflictsService {
  constructor(
    private readonly records: ConflictsRepository,
    private readonly projection: ProjectionService,
  ) {}

  /** The caller's conflicts, newest first, as of the journal head. */
  async listMine(auth: AuthContext, q: ConflictsQuery): Promise<ConflictPageDto> {
    const ns = rootNamespaceOf(auth.userId);
    await this.projection.catchUp(ns);
    return this.page({ ns, unresolved: q.unresolved ?? false }, q.limit ?? 100, q.cursor);
  }

  /** A page of conflicts (users and admins), newest first, after the cursor of the page before. */
  async page(filter: ConflictFilter, limit: number, cursor: string | undefined): Promise<ConflictPageDto> {
    const found = await this.records.list(filter, cursor === undefined ? null : decodePageCursor(cursor), limit + 1);
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    const hasMore = found.length > limit;
    return {
      conflicts: page.map(({ ns: _ns, userId: _u, resolvedSeq: _r, ...view }) => view),
      hasMore,
      cursor: hasMore && last ? encodePageCursor(last) : null,
    };
  }

  /** A conflict of `ns` that can still be resolved. */
  async open(ns: string, id: string): Promise<ConflictRecord> {
    const record = CONFLICT_ID.test(id) ? await this.records.find(id) : null;
    if (!record || record.ns !== ns) throw ConflictsErrors.notFound();
    if (record.resolvedAt) throw ConflictsErrors.alreadyResolved();
    return record;
  }
}

function encodePageCursor(last: { seq: number; id: string }): string {
  return Buffer.from(`${last.seq}|${last.id}`).toString('base64url');
}

function decodePageCursor(cursor: string): { seq: number; id: string } {
  const [seq, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!seq || !/^\d{1,12}$/.test(seq) || !id || !CONFLICT_ID.test(id)) throw ConflictsErrors.badCursor();
  return { seq: Number(seq), id };
}
