import type { AppError } from '../../common/errors/app-error.js';
import { toEntryDto } from '../../domain/entry.dto.js';
import type { BatchDto, BatchResultDto, CommitFileDto, CreateFolderDto, MoveDto, RestoreDto, WriteResultDto } from './dto/write.dto.js';
import type { Operation } from './operations.js';
import type { BatchOutcome, WriteResult } from './sync-writer.service.js';

/*
 * The wire's write requests as the domain's operations, and the writer's outcomes as the
 * wire's results: the one place the HTTP shapes of writes meet the planner's.
 */

export function toWriteResult(r: WriteResult): WriteResultDto {
  return { entry: toEntryDto(r.node), seq: r.seq, conflicts: r.conflicts };
}

export function toCreateFolderOp(dto: CreateFolderDto): Operation {
  return { type: 'createFolder', id: dto.id, parentId: dto.parentId, name: dto.name, path: dto.path, autorename: dto.autorename };
}

export function toMoveOp(dto: MoveDto): Operation {
  return { type: 'move', id: dto.id, parentId: dto.parentId, name: dto.name, autorename: dto.autorename };
}

export function toRestoreOp(dto: RestoreDto): Operation {
  return { type: 'restore', id: dto.id, parentId: dto.parentId, name: dto.name, autorename: dto.autorename };
}

export function toCommitOp(dto: CommitFileDto): Operation {
  return {
    type: 'commit',
    id: dto.id,
    parentId: dto.parentId,
    name: dto.name,
    path: dto.path,
    blocks: dto.blocks,
    size: dto.size,
    mtime: dto.mtime === undefined ? null : new Date(dto.mtime),
    autorename: dto.autorename,
  };
}

export function batchOperation(o: BatchDto['ops'][number]): Operation {
  switch (o.type) {
    case 'createFolder':
      return toCreateFolderOp(o);
    case 'commit':
      return toCommitOp(o);
    case 'move':
      return toMoveOp(o);
    case 'delete':
      return { type: 'delete', id: o.id, removedIds: o.removedIds };
    case 'restore':
      return toRestoreOp(o);
    case 'restoreRevision':
      return { type: 'restoreRevision', id: o.id, revision: o.revision };
  }
}

/** Each batch outcome as the result the operation alone would have had: its HTTP status, the entry or the error. */
export function toBatchResults(outcomes: readonly BatchOutcome[], opIds: readonly (string | undefined)[]): BatchResultDto['results'] {
  return outcomes.map((o, i) => {
    const opId = opIds[i] ?? null;
    if ('skipped' in o) return { status: 424, opId, error: { code: 'SKIPPED', message: 'An earlier operation of this batch failed.' } };
    if ('error' in o) return { status: o.error.status, opId, error: errorBody(o.error) };
    return { status: o.result.seq === null ? 200 : 201, opId, result: toWriteResult(o.result) };
  });
}

function errorBody(err: AppError): { code: string; message: string; details?: Record<string, unknown> } {
  return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
}
