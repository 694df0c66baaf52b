/**
 * The REST contract as the device sees it (docs/openapi.json is the source of truth; the SDK's
 * e2e test checks these field names against the OpenAPI document the server serves).
 * Server classes cannot be imported here: they carry Nest decorators.
 */

export type NodeKind = 'file' | 'folder';

/** A file or folder as the server reports it (EntryDto). */
export interface Entry {
  id: string;
  parentId: string;
  path: string;
  name: string;
  kind: NodeKind;
  rev: number;
  size: number;
  contentHash: string | null;
  mtime: string | null;
  deleted: boolean;
}

/** A change in the journal (DeltaEntryDto): the full state of a node after entry `seq`. */
export interface DeltaEntry extends Entry {
  seq: number;
}

export interface DeltaPage {
  entries: DeltaEntry[];
  cursor: string;
  hasMore: boolean;
}

export interface LatestCursor {
  cursor: string;
  seq: number;
}

export interface Tokens {
  tokenType?: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export interface SessionInfo {
  user: { id: string; email: string; role: string; rootNamespaceId: string };
  deviceId: string;
  tokens: Tokens;
}

export interface ConflictRef {
  id: string;
  kind: string;
}

export interface WriteResult {
  entry: Entry;
  seq: number | null;
  conflicts: ConflictRef[];
}

interface OpBase {
  baseCursor: string;
  opId?: string;
}

export interface CreateFolderOp extends OpBase {
  id?: string;
  parentId?: string;
  name?: string;
  path?: string;
  autorename?: boolean;
}

export interface CommitOp extends OpBase {
  id?: string;
  parentId?: string;
  name?: string;
  path?: string;
  blocks: string[];
  size: number;
  mtime?: string;
  autorename?: boolean;
}

export interface MoveOp extends OpBase {
  id: string;
  parentId?: string;
  name?: string;
  autorename?: boolean;
}

export interface DeleteOp extends OpBase {
  id: string;
  removedIds?: string[];
}

export interface RestoreOp extends OpBase {
  id: string;
  parentId?: string;
  name?: string;
  autorename?: boolean;
}

export type BatchOp =
  | ({ type: 'createFolder' } & CreateFolderOp)
  | ({ type: 'commit' } & CommitOp)
  | ({ type: 'move' } & MoveOp)
  | ({ type: 'delete' } & DeleteOp)
  | ({ type: 'restore' } & RestoreOp)
  | ({ type: 'restoreRevision'; id: string; revision: number } & OpBase);

export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

/** Options of `POST /v1/batch`. */
export interface BatchOptions {
  /** Skip every operation after the first that fails (status 424, code SKIPPED). */
  stopOnError?: boolean;
}

export interface BatchResultItem {
  status: number;
  opId: string | null;
  result?: WriteResult;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

/** A file's block list (BlockListDto): current content, or a revision. */
export interface BlockList {
  id: string;
  /** The journal seq of the content change these blocks are. */
  revision: number;
  size: number;
  contentHash: string;
  /** SHA-256 of each 4 MiB block, in order. */
  blocks: string[];
}

export interface ListPage {
  entries: Entry[];
  cursor: string | null;
  hasMore: boolean;
}

export interface Revision {
  revision: number;
  size: number;
  contentHash: string;
  mtime: string | null;
  at: string;
  deviceId: string | null;
  current: boolean;
}

export interface TrashEntry extends Entry {
  deletedAt: string | null;
}

export interface Conflict {
  id: string;
  kind: string;
  nodeIds: string[];
  deviceId: string | null;
  opKind: string;
  seq: number;
  at: string;
  resolvedAt: string | null;
  resolution: string | null;
}

/** The fields the SDK reads or sends, per OpenAPI schema: checked against the served document. */
export const CONTRACT_FIELDS: Record<string, readonly string[]> = {
  DeltaEntryDto: ['id', 'parentId', 'path', 'name', 'kind', 'rev', 'size', 'contentHash', 'mtime', 'deleted', 'seq'],
  DeltaPageDto: ['entries', 'cursor', 'hasMore'],
  LatestCursorDto: ['cursor', 'seq'],
  WriteResultDto: ['entry', 'seq', 'conflicts'],
  BatchDto: ['ops', 'stopOnError'],
  BatchResultItemDto: ['status', 'opId', 'result', 'error'],
  BlockListDto: ['id', 'revision', 'size', 'contentHash', 'blocks'],
  BatchCommitOp: ['type', 'baseCursor', 'opId', 'id', 'parentId', 'name', 'blocks', 'size', 'mtime', 'autorename'],
  BatchCreateFolderOp: ['type', 'baseCursor', 'opId', 'id', 'parentId', 'name', 'autorename'],
  BatchMoveOp: ['type', 'baseCursor', 'opId', 'id', 'parentId', 'name', 'autorename'],
  BatchDeleteOp: ['type', 'baseCursor', 'opId', 'id', 'removedIds'],
  CheckBlocksResultDto: ['missing'],
  SessionDto: ['user', 'deviceId', 'tokens'],
  TokensDto: ['accessToken', 'accessTokenExpiresAt', 'refreshToken', 'refreshTokenExpiresAt'],
  RevisionDto: ['revision', 'size', 'contentHash', 'current'],
  ListPageDto: ['entries', 'cursor', 'hasMore'],
};
