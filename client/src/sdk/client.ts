import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { encodePack, PACK_CONTENT_TYPE } from '../../../src/shared/block-pack.js';
import { ApiError, NetworkError, SessionEndedError } from './errors.js';
import { ApiReply, readJson, SESSION_ENDED } from './reply.js';
import type { SessionStore, StoredSession } from './session.js';
import type {
  BatchOp,
  BatchOptions,
  BatchResultItem,
  BlockList,
  CommitOp,
  Conflict,
  ConflictResolution,
  CreateFolderOp,
  DeleteOp,
  DeltaEntry,
  DeltaPage,
  Entry,
  LatestCursor,
  Method,
  MoveOp,
  PathParams,
  PathsWith,
  Query,
  RequestJson,
  RestoreOp,
  RestoreRevisionOp,
  Revision,
  SessionInfo,
  Success,
  Tokens,
  TrashEntry,
  UploadBlockResult,
  User,
  WriteResult,
} from './types.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  session: SessionStore;
  /** Injected for tests (fault injection); default the global fetch. */
  fetch?: FetchLike;
  /** Refresh when the access token has less than this left (default 60 s). */
  refreshMarginMs?: number;
}

export interface RequestOpts {
  json?: unknown;
  body?: Uint8Array;
  headers?: Record<string, string>;
  /** Send the access token (default true). */
  auth?: boolean;
}

/** What `call(method, path)` takes: the operation's query, path parameters and JSON body, typed from the OpenAPI document. */
export interface CallOptions<P extends PathsWith<M>, M extends Method> extends Omit<RequestOpts, 'json'> {
  query?: Query<P, M>;
  params?: PathParams<P, M>;
  json?: RequestJson<P, M>;
}

type LoginBody = RequestJson<'/v1/auth/login', 'post'>;
/** What login and register send; the platform defaults to this machine's. */
export type Credentials = Omit<LoginBody, 'platform'> & Partial<Pick<LoginBody, 'platform'>>;

/** Every item of a paged listing, and the last page's cursor. */
export interface AllPages<T> {
  items: T[];
  cursor: string | null;
  pages: number;
}

/** What a client downloaded (file contents and single blocks), counted as it arrives. */
export interface DownloadStats {
  /** `GET /v1/files/content` requests answered with content. */
  contentRequests: number;
  /** `GET /v1/blocks/:hash` requests answered with a block. */
  blockRequests: number;
  /** Bytes received by both. */
  bytes: number;
}

/**
 * The pocketCloud REST API for one device: tokens (refreshed ahead of expiry and on
 * TOKEN_EXPIRED, the new pair saved before use), blocks, writes, batches, the delta, downloads.
 */
export class PocketCloudClient {
  private readonly fetchImpl: FetchLike;
  private readonly margin: number;
  private refreshing: Promise<StoredSession> | null = null;
  /** Downloads so far (progress reports; tests check that only missing blocks travel). */
  readonly downloads: DownloadStats = { contentRequests: 0, blockRequests: 0, bytes: 0 };

  constructor(private readonly opts: ClientOptions) {
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.margin = opts.refreshMarginMs ?? 60_000;
  }

  /** Logs in (a new device) and saves the session. */
  static login(server: string, creds: Credentials, session: SessionStore, fetchImpl?: FetchLike): Promise<PocketCloudClient> {
    return PocketCloudClient.signIn('/v1/auth/login', server, creds, session, fetchImpl);
  }

  /** Creates an account with its first device and saves the session. */
  static register(server: string, creds: Credentials, session: SessionStore, fetchImpl?: FetchLike): Promise<PocketCloudClient> {
    return PocketCloudClient.signIn('/v1/auth/register', server, creds, session, fetchImpl);
  }

  private static async signIn(
    route: '/v1/auth/login' | '/v1/auth/register',
    server: string,
    creds: Credentials,
    session: SessionStore,
    fetchImpl?: FetchLike,
  ): Promise<PocketCloudClient> {
    const base = server.replace(/\/+$/, '');
    const f = fetchImpl ?? ((input: string, init: RequestInit) => fetch(input, init));
    const json: RequestJson<typeof route, 'post'> = {
      email: creds.email,
      password: creds.password,
      deviceName: creds.deviceName,
      platform: creds.platform ?? platformOf(process.platform),
    };
    const res = await send(f, base + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const s: SessionInfo = (await ApiReply.read<SessionInfo>(res)).body;
    session.save({
      server: base,
      userId: s.user.id,
      email: s.user.email,
      ns: s.user.rootNamespaceId,
      deviceId: s.deviceId,
      deviceName: creds.deviceName,
      ...pickTokens(s.tokens),
    });
    return new PocketCloudClient({ session, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  }

  get session(): StoredSession {
    const s = this.opts.session.load();
    if (!s) throw new Error('not logged in: run `pocketcloud login` first');
    return s;
  }

  get server(): string {
    return this.session.server;
  }

  /** A current access token: refreshed first when it expires within the margin. */
  async accessToken(): Promise<string> {
    const s = this.session;
    if (Date.parse(s.accessTokenExpiresAt) - Date.now() > this.margin) return s.accessToken;
    return (await this.refresh(s.accessToken)).accessToken;
  }

  /**
   * Exchanges the refresh token. One refresh at a time per store; a process that finds the token
   * already rotated by another (the stored access token is not the one it had) uses the new one.
   */
  refresh(stale?: string): Promise<StoredSession> {
    this.refreshing ??= this.opts.session
      .update(async (cur) => {
        const fresh = Date.parse(cur.accessTokenExpiresAt) - Date.now() > this.margin;
        if (fresh && cur.accessToken !== stale) return null;
        const json: RequestJson<'/v1/auth/refresh', 'post'> = { refreshToken: cur.refreshToken };
        const res = await send(this.fetchImpl, `${cur.server}/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(json),
        });
        const reply = await ApiReply.read<Success<'/v1/auth/refresh', 'post'>>(res);
        if (!reply.ok) {
          const err = reply.failure();
          if (err instanceof ApiError && SESSION_ENDED.has(err.code)) throw new SessionEndedError(err.code);
          throw err;
        }
        return { ...cur, ...pickTokens(reply.body.tokens) };
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** Logs out (the server revokes the device) and forgets the session. */
  async logout(): Promise<void> {
    try {
      const reply = await this.call('post', '/v1/auth/logout');
      if (!reply.ok) throw reply.failure();
    } finally {
      this.opts.session.clear();
    }
  }

  // ── raw requests ──────────────────────────────────────────────────────────────────────

  /** Sends a request with the access token; on TOKEN_EXPIRED refreshes once and retries. */
  async fetchRaw(method: string, path: string, opts: RequestOpts = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...opts.headers };
      let token: string | undefined;
      if (opts.auth !== false) {
        token = await this.accessToken();
        headers.authorization = `Bearer ${token}`;
      }
      let body: RequestInit['body'];
      if (opts.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.json);
      } else if (opts.body) {
        body = opts.body;
      }
      const res = await send(this.fetchImpl, this.server + path, { method, headers, body });
      if (res.status === 401 && attempt === 0 && token) {
        const err = ApiError.from(401, await readJson(res));
        if (err.code === 'TOKEN_EXPIRED' || err.code === 'TOKEN_INVALID') {
          await this.refresh(token);
          continue;
        }
        if (SESSION_ENDED.has(err.code)) throw new SessionEndedError(err.code);
        throw err;
      }
      return res;
    }
  }

  /**
   * One operation of the API, typed from the OpenAPI document: `call('get', '/v1/files/list',
   * { query: { path: '/' } })`. The answer is read in full; `.body` is the result or throws.
   */
  async call<M extends Method, P extends PathsWith<M>>(method: M, path: P, opts: CallOptions<P, M> = {}): Promise<ApiReply<Success<P, M>>> {
    const { query, params, ...rest } = opts;
    const res = await this.fetchRaw(method.toUpperCase(), fillPath(path, params) + queryString(query), rest);
    return ApiReply.read<Success<P, M>>(res);
  }

  // ── account ───────────────────────────────────────────────────────────────────────────

  async me(): Promise<User> {
    return (await this.call('get', '/v1/me')).body;
  }

  // ── blocks ────────────────────────────────────────────────────────────────────────────

  /** Which of these hashes this user still has to upload (asked 1,000 at a time). */
  async checkBlocks(hashes: readonly string[]): Promise<string[]> {
    const missing: string[] = [];
    const unique = [...new Set(hashes)];
    for (let i = 0; i < unique.length; i += 1000) {
      const r = await this.call('post', '/v1/blocks/check', { json: { hashes: unique.slice(i, i + 1000) } });
      missing.push(...r.body.missing);
    }
    return missing;
  }

  async putBlock(hash: string, bytes: Uint8Array): Promise<UploadBlockResult> {
    return (await this.call('put', '/v1/blocks/{hash}', { params: { hash }, body: bytes, headers: { 'content-type': 'application/octet-stream' } })).body;
  }

  /** Many small blocks in one request (a block pack: src/shared/block-pack.ts); one result per block. */
  async putBlockPack(blocks: readonly { hash: string; data: Uint8Array }[]): Promise<UploadBlockResult[]> {
    return (await this.call('post', '/v1/blocks/pack', { body: encodePack(blocks), headers: { 'content-type': PACK_CONTENT_TYPE } })).body.results;
  }

  /** One block's bytes (only blocks of this user's files); the caller checks them against the hash. */
  async getBlock(hash: string): Promise<Buffer> {
    const res = await this.fetchRaw('GET', fillPath('/v1/blocks/{hash}', { hash }));
    if (!res.ok) throw (await ApiReply.read(res)).failure();
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw new NetworkError(`reading block ${hash}: ${(err as Error).message}`, err);
    }
    this.downloads.blockRequests++;
    this.downloads.bytes += bytes.length;
    return bytes;
  }

  /** A file's block list: its current content, or `revision` (410 PURGED when that content is gone). */
  async blockList(id: string, revision?: number): Promise<BlockList> {
    return (await this.call('get', '/v1/files/blocks', { query: { id, ...(revision !== undefined ? { revision } : {}) } })).body;
  }

  // ── writes ────────────────────────────────────────────────────────────────────────────

  async createFolder(op: CreateFolderOp): Promise<WriteResult> {
    return (await this.call('post', '/v1/folders', { json: op })).body;
  }
  async commit(op: CommitOp): Promise<WriteResult> {
    return (await this.call('post', '/v1/files/commit', { json: op })).body;
  }
  async move(op: MoveOp): Promise<WriteResult> {
    return (await this.call('post', '/v1/files/move', { json: op })).body;
  }
  async delete(op: DeleteOp): Promise<WriteResult> {
    return (await this.call('post', '/v1/files/delete', { json: op })).body;
  }
  async restore(op: RestoreOp): Promise<WriteResult> {
    return (await this.call('post', '/v1/files/restore', { json: op })).body;
  }
  async restoreRevision(op: RestoreRevisionOp): Promise<WriteResult> {
    return (await this.call('post', '/v1/files/revisions/restore', { json: op })).body;
  }
  async resolveConflict(id: string, resolution: ConflictResolution, baseCursor: string): Promise<WriteResult> {
    return (await this.call('post', '/v1/conflicts/{id}/resolve', { params: { id }, json: { resolution, baseCursor } })).body;
  }
  /**
   * Up to 1,000 operations in order, one result each. With `stopOnError`, every operation after
   * the first failure is skipped (424 SKIPPED) and changes nothing.
   */
  async batch(ops: BatchOp[], opts: BatchOptions = {}): Promise<BatchResultItem[]> {
    const json = { ops, ...(opts.stopOnError ? { stopOnError: true } : {}) };
    return (await this.call('post', '/v1/batch', { json })).body.results;
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────

  async delta(cursor: string | undefined, limit = 1000): Promise<DeltaPage> {
    return (await this.call('get', '/v1/delta', { query: { limit, ...(cursor ? { cursor } : {}) } })).body;
  }

  /** Every delta entry after `cursor` (absent: from the beginning), and the cursor to read on from. */
  async deltaSince(cursor: string | undefined, limit = 1000): Promise<{ entries: DeltaEntry[]; cursor: string; pages: number }> {
    const r = await allPages(cursor, async (at) => {
      const page = await this.delta(at, limit);
      return { items: page.entries, cursor: page.cursor, hasMore: page.hasMore };
    });
    return { entries: r.items, cursor: r.cursor ?? cursor ?? '', pages: r.pages };
  }

  async latest(): Promise<LatestCursor> {
    return (await this.call('get', '/v1/delta/latest')).body;
  }

  async metadata(ref: { id: string } | { path: string }): Promise<Entry> {
    return (await this.call('get', '/v1/files/metadata', { query: ref })).body;
  }

  /** Every live entry of a folder (all pages); `recursive` lists parents before children. */
  async list(ref: { id: string } | { path: string }, recursive = false, limit = 2000): Promise<Entry[]> {
    const r = await allPages(undefined, async (cursor) => {
      const query = cursor ? { cursor, limit } : { ...ref, recursive, limit };
      const page = (await this.call('get', '/v1/files/list', { query })).body;
      return { items: page.entries, cursor: page.cursor, hasMore: page.hasMore };
    });
    return r.items;
  }

  async revisions(id: string): Promise<Revision[]> {
    return (await this.call('get', '/v1/files/revisions', { query: { id } })).body;
  }

  /** What each delete removed (its top node), newest first: every page. */
  async trash(limit = 1000): Promise<TrashEntry[]> {
    const r = await allPages(undefined, async (cursor) => {
      const page = (await this.call('get', '/v1/trash', { query: { limit, ...(cursor ? { cursor } : {}) } })).body;
      return { items: page.entries, cursor: page.cursor, hasMore: page.hasMore };
    });
    return r.items;
  }

  /** This user's conflict records, newest first: every page. */
  async conflicts(unresolved = false, limit = 500): Promise<Conflict[]> {
    const r = await allPages(undefined, async (cursor) => {
      const page = (await this.call('get', '/v1/conflicts', { query: { limit, unresolved, ...(cursor ? { cursor } : {}) } })).body;
      return { items: page.conflicts, cursor: page.cursor, hasMore: page.hasMore };
    });
    return r.items;
  }

  /** A file's content as a Node stream, with the content hash (ETag) and size it belongs to. */
  async download(id: string, revision?: number): Promise<{ stream: Readable; contentHash: string | null; size: number }> {
    const res = await this.fetchRaw('GET', '/v1/files/content' + queryString({ id, ...(revision ? { revision } : {}) }));
    if (!res.ok) throw (await ApiReply.read(res)).failure();
    const etag = res.headers.get('etag');
    this.downloads.contentRequests++;
    const body = res.body ? Readable.fromWeb(res.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    const stats = this.downloads;
    // Counts the bytes as they arrive; destroying the stream ends the body too.
    const stream = Readable.from(
      (async function* counted(): AsyncGenerator<Buffer> {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          stats.bytes += chunk.length;
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
    return { stream, contentHash: etag ? etag.replace(/^W\//, '').replace(/"/g, '') : null, size: Number(res.headers.get('content-length') ?? 0) };
  }
}

function pickTokens(t: Tokens): Pick<StoredSession, 'accessToken' | 'accessTokenExpiresAt' | 'refreshToken' | 'refreshTokenExpiresAt'> {
  return {
    accessToken: t.accessToken,
    accessTokenExpiresAt: t.accessTokenExpiresAt,
    refreshToken: t.refreshToken,
    refreshTokenExpiresAt: t.refreshTokenExpiresAt,
  };
}

async function send(f: FetchLike, url: string, init: RequestInit): Promise<Response> {
  try {
    return await f(url, init);
  } catch (err) {
    if (err instanceof ApiError || err instanceof SessionEndedError) throw err;
    throw new NetworkError(`${init.method ?? 'GET'} ${url}: ${(err as Error).message}`, err);
  }
}

/**
 * Reads pages from `start` until one says there are no more (`next` gets undefined for the first
 * page when `start` is). One loop for every paged listing of the API.
 */
export async function allPages<T>(
  start: string | undefined,
  next: (cursor: string | undefined) => Promise<{ items: readonly T[]; cursor: string | null; hasMore: boolean }>,
): Promise<AllPages<T>> {
  const items: T[] = [];
  let cursor: string | null = start ?? null;
  for (let pages = 1; ; pages++) {
    const page = await next(cursor ?? undefined);
    items.push(...page.items);
    cursor = page.cursor;
    if (!page.hasMore || cursor === null) return { items, cursor, pages };
  }
}

/** `/v1/blocks/{hash}` with its parameters filled in. */
function fillPath(path: string, params: object | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v: unknown = params ? (params as Record<string, unknown>)[name] : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(String(v));
  });
}

/** `?a=1&b=x` of the defined values of `query` ('' when there are none). */
function queryString(query: object | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The platform name the server knows for a Node `process.platform`. */
function platformOf(p: NodeJS.Platform): NonNullable<Credentials['platform']> {
  if (p === 'win32') return 'windows';
  if (p === 'darwin') return 'macos';
  if (p === 'linux' || p === 'android') return p;
  return 'other';
}
