import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error.js';
import type { AuthContext } from '../auth/auth.types.js';
import { decodeCursor } from '../../domain/cursor.js';
import { rootNamespaceOf } from '../../domain/namespace.js';
import { JournalErrors } from '../journal/journal.errors.js';
import type {
  BatchDto,
  BatchResultDto,
  CommitFileDto,
  CreateFolderDto,
  DeleteDto,
  MoveDto,
  RestoreDto,
  ResolveConflictDto,
  RestoreRevisionDto,
  WriteBaseDto,
  WriteResultDto,
} from './dto/write.dto.js';
import type { Operation, WriteContext } from './operations.js';
import { SyncWriter, type BatchOutcome } from './sync-writer.service.js';
import { batchOperation, toBatchResults, toCommitOp, toCreateFolderOp, toMoveOp, toRestoreOp, toWriteResult } from './write-commands.js';

/** The tree's writes as the HTTP API sends them: commands in, write results out. */
@Injectable()
export class FileWrites {
  constructor(private readonly writer: SyncWriter) {}

  createFolder(auth: AuthContext, dto: CreateFolderDto): Promise<WriteResultDto> {
    return this.write(auth, dto, toCreateFolderOp(dto));
  }

  commit(auth: AuthContext, dto: CommitFileDto): Promise<WriteResultDto> {
    return this.write(auth, dto, toCommitOp(dto));
  }

  move(auth: AuthContext, dto: MoveDto): Promise<WriteResultDto> {
    return this.write(auth, dto, toMoveOp(dto));
  }

  delete(auth: AuthContext, dto: DeleteDto): Promise<WriteResultDto> {
    return this.write(auth, dto, { type: 'delete', id: dto.id, removedIds: dto.removedIds });
  }

  restore(auth: AuthContext, dto: RestoreDto): Promise<WriteResultDto> {
    return this.write(auth, dto, toRestoreOp(dto));
  }

  restoreRevision(auth: AuthContext, dto: RestoreRevisionDto): Promise<WriteResultDto> {
    return this.write(auth, dto, { type: 'restoreRevision', id: dto.id, revision: dto.revision });
  }

  resolveConflict(auth: AuthContext, id: string, dto: ResolveConflictDto): Promise<WriteResultDto> {
    return this.write(auth, dto, { type: 'resolveConflict', conflictId: id, resolution: dto.resolution });
  }

  /**
   * The operations in order, each its own write with its own result; a failure does not stop
   * the rest — unless `stopOnError`, when every later operation is skipped (424), so a queue
   * whose operations depend on each other never applies out of order.
   */
  async batch(auth: AuthContext, dto: BatchDto): Promise<BatchResultDto> {
    // An operation whose base cursor does not parse fails alone, as its write would.
    const items: ({ ctx: WriteContext; op: Operation } | AppError)[] = dto.ops.map((o) => {
      try {
        return { ctx: this.context(auth, o), op: batchOperation(o) };
      } catch (err) {
        if (err instanceof AppError) return err;
        throw err;
      }
    });
    const firstBad = items.findIndex((i) => i instanceof AppError);
    const valid = (firstBad === -1 ? items : items.slice(0, firstBad)) as { ctx: WriteContext; op: Operation }[];
    const outcomes: BatchOutcome[] = await this.writer.writeBatch(valid, dto.stopOnError === true);
    // After a bad cursor, one at a time (rare: a client bug), so the order of effects holds.
    let failed = outcomes.some((o) => 'error' in o);
    for (const item of items.slice(valid.length)) {
      if (failed && dto.stopOnError) outcomes.push({ skipped: true });
      else if (item instanceof AppError) outcomes.push({ error: item });
      else outcomes.push(...(await this.writer.writeBatch([item], false)));
      failed ||= 'error' in outcomes.at(-1)!;
    }
    return { results: toBatchResults(outcomes, dto.ops.map((o) => o.opId)) };
  }

  private async write(auth: AuthContext, dto: WriteBaseDto, op: Operation): Promise<WriteResultDto> {
    return toWriteResult(await this.writer.write(this.context(auth, dto), op));
  }

  private context(auth: AuthContext, dto: WriteBaseDto): WriteContext {
    const ns = rootNamespaceOf(auth.userId);
    const pos = decodeCursor(dto.baseCursor);
    if (!pos) throw JournalErrors.baseCursorInvalid('it is not a cursor');
    if (pos.ns !== ns) throw JournalErrors.baseCursorInvalid('it belongs to another namespace');
    return { ns, userId: auth.userId, deviceId: auth.deviceId, baseSeq: pos.seq, opId: dto.opId };
  }
}
