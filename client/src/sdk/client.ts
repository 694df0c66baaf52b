import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApiError, NetworkError, SessionEndedError } from './errors.js';
import type { SessionStore, StoredSession } from './session.js';
import type {
  BatchOp,
  BatchOptions,
  BatchResultItem,
  BlockList,
  CommitOp,
  Conflict,
  CreateFolderOp,
  DeleteOp,
  DeltaPage,
  Entry,
  LatestCursor,
  ListPage,
  MoveOp,
  RestoreOp,
  Revision,
  SessionInfo,
  Tokens,
  TrashEntry,
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

interface RequestOpts {
  json?: unknown;
  body?: Uint8Array;
  headers?: Record<string, string>;
  auth?: boolean;
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

const SESSION_ENDED = new Set(['DEVICE_REVOKED', 'REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_EXPIRED', 'ACCOUNT_DISABLED']);

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
  static async login(
    server: string,
    creds: { email: string; password: string; deviceName: string; platform?: string },
    session: SessionStore,
    fetchImpl?: FetchLike,
  ): Promise<PocketCloudClient> {
    const base = server.replace(/\/+$/, '');
    const f = fetchImpl ?? ((input: string, init: RequestInit) => fetch(input, init));
    const res = await send(f, `${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: creds.email, password: creds.password, deviceName: creds.deviceName, platform: creds.platform ?? process.platform }),
    });
    const body = await readJson(res);
    if (!res.ok) throw ApiError.from(res.status, body);
    const s = body as SessionInfo;
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
        const res = await send(this.fetchImpl, `${cur.server}/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: cur.refreshToken }),
        });
        const body = await readJson(res);
        if (!res.ok) {
          const err = ApiError.from(res.status, body);
          if (SESSION_ENDED.has(err.code)) throw new SessionEndedError(err.code);
          throw err;
        }
        return { ...cur, ...pickTokens((body as { tokens: Tokens }).tokens) };
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** Logs out (the server revokes the device) and forgets the session. */
  async logout(): Promise<void> {
    try {
      await this.request('POST', '/v1/auth/logout', { json: {} });
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

  async request<T>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    const res = await this.fetchRaw(method, path, opts);
    const body = await readJson(res);
    if (!res.ok) {
      const err = ApiError.from(res.status, body);
      if (res.status === 401 && SESSION_ENDED.has(err.code)) throw new SessionEndedError(err.code);
      throw err;
    }
    return body as T;
  }

  // ── account ───────────────────────────────────────────────────────────────────────────

  me(): Promise<{ id: string; email: string; rootNamespaceId: string; quotaBytes: number }> {
    return this.request('GET', '/v1/me');
  }

  // ── blocks ────────────────────────────────────────────────────────────────────────────

  /** Which of these hashes this user still has to upload (asked 1,000 at a time). */
  async checkBlocks(hashes: readonly string[]): Promise<string[]> {
    const missing: string[] = [];
    const unique = [...new Set(hashes)];
    for (let i = 0; i < unique.length; i += 1000) {
      const r = await this.request<{ missing: string[] }>('POST', '/v1/blocks/check', { json: { hashes: unique.slice(i, i + 1000) } });
      missing.push(...r.missing);
    }
    return missing;
  }

  async putBlock(hash: string, bytes: Uint8Array): Promise<void> {
    await this.request('PUT', `/v1/blocks/${hash}`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  }

  /** One block's bytes (only blocks of this user's files); the caller checks them against the hash. */
  async getBlock(hash: string): Promise<Buffer> {
    const res = await this.fetchRaw('GET', `/v1/blocks/${hash}`);
    if (!res.ok) throw ApiError.from(res.status, await readJson(res));
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
  blockList(id: string, revision?: number): Promise<BlockList> {
    const q = new URLSearchParams({ id, ...(revision !== undefined ? { revision: String(revision) } : {}) });
    return this.request('GET', `/v1/files/blocks?${q.toString()}`);
  }

  // ── writes ────────────────────────────────────────────────────────────────────────────

  createFolder(op: CreateFolderOp): Promise<WriteResult> {
    return this.request('POST', '/v1/folders', { json: op });
  }
  commit(op: CommitOp): Promise<WriteResult> {
    return this.request('POST', '/v1/files/commit', { json: op });
  }
  move(op: MoveOp): Promise<WriteResult> {
    return this.request('POST', '/v1/files/move', { json: op });
  }
  delete(op: DeleteOp): Promise<WriteResult> {
    return this.request('POST', '/v1/files/delete', { json: op });
  }
  restore(op: RestoreOp): Promise<WriteResult> {
    return this.request('POST', '/v1/files/restore', { json: op });
  }
  /**
   * Up to 1,000 operations in order, one result each. With `stopOnError`, every operation after
   * the first failure is skipped (424 SKIPPED) and changes nothing.
   */
  async batch(ops: BatchOp[], opts: BatchOptions = {}): Promise<BatchResultItem[]> {
    const json = { ops, ...(opts.stopOnError ? { stopOnError: true } : {}) };
    return (await this.request<{ results: BatchResultItem[] }>('POST', '/v1/batch', { json })).results;
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────

  delta(cursor: string | undefined, limit = 1000): Promise<DeltaPage> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return this.request('GET', `/v1/delta?${q.toString()}`);
  }

  latest(): Promise<LatestCursor> {
    return this.request('GET', '/v1/delta/latest');
  }

  metadata(ref: { id: string } | { path: string }): Promise<Entry> {
    return this.request('GET', `/v1/files/metadata?${new URLSearchParams(ref).toString()}`);
  }

  /** Every live entry of a folder (all pages); `recursive` lists parents before children. */
  async list(ref: { id: string } | { path: string }, recursive = false): Promise<Entry[]> {
    const out: Entry[] = [];
    let cursor: string | null = null;
    do {
      const q: URLSearchParams = cursor
        ? new URLSearchParams({ cursor, limit: '2000' })
        : new URLSearchParams({ ...ref, recursive: String(recursive), limit: '2000' });
      const page: ListPage = await this.request('GET', `/v1/files/list?${q.toString()}`);
      out.push(...page.entries);
      cursor = page.hasMore ? page.cursor : null;
    } while (cursor);
    return out;
  }

  revisions(id: string): Promise<Revision[]> {
    return this.request('GET', `/v1/files/revisions?${new URLSearchParams({ id }).toString()}`);
  }

  async trash(): Promise<TrashEntry[]> {
    const out: TrashEntry[] = [];
    let cursor: string | null = null;
    do {
      const q: URLSearchParams = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
      const page: { entries: TrashEntry[]; cursor: string | null; hasMore: boolean } = await this.request('GET', `/v1/trash?${q.toString()}`);
      out.push(...page.entries);
      cursor = page.hasMore ? page.cursor : null;
    } while (cursor);
    return out;
  }

  async conflicts(unresolved = false): Promise<Conflict[]> {
    const out: Conflict[] = [];
    let cursor: string | null = null;
    do {
      const q: URLSearchParams = new URLSearchParams({ limit: '500', unresolved: String(unresolved), ...(cursor ? { cursor } : {}) });
      const page: { conflicts: Conflict[]; cursor: string | null; hasMore: boolean } = await this.request('GET', `/v1/conflicts?${q.toString()}`);
      out.push(...page.conflicts);
      cursor = page.hasMore ? page.cursor : null;
    } while (cursor);
    return out;
  }

  resolveConflict(id: string, resolution: string, baseCursor: string): Promise<WriteResult> {
    return this.request('POST', `/v1/conflicts/${encodeURIComponent(id)}/resolve`, { json: { resolution, baseCursor } });
  }

  /** A file's content as a Node stream, with the content hash (ETag) and size it belongs to. */
  async download(id: string, revision?: number): Promise<{ stream: Readable; contentHash: string | null; size: number }> {
    const q = new URLSearchParams({ id, ...(revision ? { revision: String(revision) } : {}) });
    const res = await this.fetchRaw('GET', `/v1/files/content?${q.toString()}`);
    if (!res.ok) throw ApiError.from(res.status, await readJson(res));
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

async function readJson(res: Response): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new NetworkError(`reading the answer: ${(err as Error).message}`, err);
  }
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
