/**
 * The REST contract as the device sees it: names for the schemas and operations of
 * `./generated/openapi.ts`, which `npm run openapi` generates from docs/openapi.json, which the
 * server's DTOs produce. Nothing here is declared by hand — change the server's DTO decorators
 * and regenerate, and the SDK (and everything typed through it) follows or fails to compile.
 */
import type { components, paths } from './generated/openapi.js';

export { conflictResolutionValues } from './generated/openapi.js';

type Schemas = components['schemas'];

// ── schemas ─────────────────────────────────────────────────────────────────────────────

/** A file or folder as the server reports it. */
export type Entry = Schemas['EntryDto'];
export type NodeKind = Entry['kind'];
/** A change in the journal: the full state of a node after entry `seq`. */
export type DeltaEntry = Schemas['DeltaEntryDto'];
export type DeltaPage = Schemas['DeltaPageDto'];
export type LatestCursor = Schemas['LatestCursorDto'];

export type Tokens = Schemas['TokensDto'];
export type SessionInfo = Schemas['SessionDto'];
export type User = Schemas['UserDto'];
export type DeviceInfo = Schemas['DeviceDto'];
export type UpdateDevice = Schemas['UpdateDeviceDto'];

export type ConflictKind = Schemas['ConflictKind'];
export type ConflictRef = Schemas['ConflictRefDto'];
export type Conflict = Schemas['ConflictDto'];
export type ConflictPage = Schemas['ConflictPageDto'];
export type ConflictResolution = Schemas['ResolveConflictDto']['resolution'];
export type WriteResult = Schemas['WriteResultDto'];

export type CreateFolderOp = Schemas['CreateFolderDto'];
export type CommitOp = Schemas['CommitFileDto'];
export type MoveOp = Schemas['MoveDto'];
export type DeleteOp = Schemas['DeleteDto'];
export type RestoreOp = Schemas['RestoreDto'];
export type RestoreRevisionOp = Schemas['RestoreRevisionDto'];
export type ResolveConflictOp = Schemas['ResolveConflictDto'];

/** One operation of `POST /v1/batch`, told apart by `type`. */
export type BatchOp = Schemas['BatchDto']['ops'][number];
export type BatchOpType = BatchOp['type'];
/** The batch operation of one `type`. */
export type BatchOpOf<T extends BatchOpType> = Extract<BatchOp, { type: T }>;
/** Options of `POST /v1/batch`. */
export type BatchOptions = Omit<Schemas['BatchDto'], 'ops'>;
export type BatchResultItem = Schemas['BatchResultItemDto'];

export type ApiErrorBody = Schemas['ErrorBody'];

/** A file's block list: current content, or a revision. */
export type BlockList = Schemas['BlockListDto'];
export type ListPage = Schemas['ListPageDto'];
export type Revision = Schemas['RevisionDto'];
export type TrashEntry = Schemas['TrashEntryDto'];
export type TrashPage = Schemas['TrashPageDto'];
export type CheckBlocksResult = Schemas['CheckBlocksResultDto'];
export type UploadBlockResult = Schemas['UploadBlockResultDto'];

// ── operations, by method and path ──────────────────────────────────────────────────────

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head';

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The paths that have an operation for `M`. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: [Operation<P, M>] extends [never] ? never : P;
}[keyof paths];

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type OrNull<T> = [T] extends [never] ? null : T;
type Params<P extends PathsWith<M>, M extends Method> = Operation<P, M>['parameters'];

/** The JSON body of `M P` (`never` when it takes none). */
export type RequestJson<P extends PathsWith<M>, M extends Method> = Operation<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;
/** The query of `M P`. */
export type Query<P extends PathsWith<M>, M extends Method> = Params<P, M> extends { query?: infer Q } ? NonNullable<Q> : never;
/** The path parameters of `M P` (`{hash}` in `/v1/blocks/{hash}`). */
export type PathParams<P extends PathsWith<M>, M extends Method> = Params<P, M> extends { path?: infer X } ? NonNullable<X> : never;

type Responses<P extends PathsWith<M>, M extends Method> = Operation<P, M>['responses'];
/** The JSON answer of `M P` when it succeeds (null for 204 and for non-JSON answers). */
export type Success<P extends PathsWith<M>, M extends Method> = OrNull<Json<Responses<P, M>[Extract<keyof Responses<P, M>, 200 | 201 | 202 | 206>]>>;
