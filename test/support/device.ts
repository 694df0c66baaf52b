import { expect } from 'vitest';
import { hashBuffer } from '../../src/shared/content-hash.js';
import { uploadMissingBlocks } from '../../client/src/sdk/blocks.js';
import { PocketCloudClient } from '../../client/src/sdk/client.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import { MemorySessionStore } from '../../client/src/sdk/session.js';
import type {
  BatchOp,
  CommitOp,
  CreateFolderOp,
  DeleteOp,
  DeltaEntry,
  DeltaPage,
  Entry,
  MoveOp,
  PathParams,
  PathsWith,
  Query,
  ResolveConflictOp,
  RestoreOp,
  RestoreRevisionOp,
  SessionInfo,
  Success,
  UploadBlockResult,
  WriteResult,
} from '../../client/src/sdk/types.js';
import type { ApiClient, ApiResponse } from './api-client.js';

/** A write as a test sends it: with this device's cursor unless it names another. */
export type Op<T extends { baseCursor: string }> = T extends unknown ? Omit<T, 'baseCursor'> & { baseCursor?: string } : never;

/** Where a new file goes: a path, or a name in a parent folder. */
export type Place = { path: string } | { parentId?: string; name: string };

/**
 * One device of a test, driving the server through the SDK (`client`): typed requests and
 * answers (an ApiReply: `status`, `body` or `error`), the SDK's block upload, delta and listing
 * pages — plus the cursor this device has applied, which every write sends unless it names one.
 * `sendRaw` is for what the SDK's types refuse to send (malformed input).
 */
export class Device {
  cursor = '';

  constructor(
    readonly client: PocketCloudClient,
    /** The raw HTTP client of the test server (bad input, other people's tokens). */
    readonly api: ApiClient,
  ) {}

  /** A device for a session someone signed in with (e.g. `api.register()`), on `api`'s server. */
  static of(api: ApiClient, s: SessionInfo, name = 'test device'): Device {
    const store = new MemorySessionStore({
      server: api.baseUrl,
      userId: s.user.id,
      email: s.user.email,
      ns: s.user.rootNamespaceId,
      deviceId: s.deviceId,
      deviceName: name,
      accessToken: s.tokens.accessToken,
      accessTokenExpiresAt: s.tokens.accessTokenExpiresAt,
      refreshToken: s.tokens.refreshToken,
      refreshTokenExpiresAt: s.tokens.refreshTokenExpiresAt,
    });
    return new Device(new PocketCloudClient({ session: store }), api);
  }

  /** The device's current access token (for raw requests). */
  get token(): string {
    return this.client.session.accessToken;
  }

  get deviceId(): string {
    return this.client.session.deviceId;
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────

  /** A typed GET: `get('/v1/files/metadata', { id })`. */
  get<P extends PathsWith<'get'>>(path: P, query?: Query<P, 'get'>, params?: PathParams<P, 'get'>): Promise<ApiReply<Success<P, 'get'>>> {
    return this.client.call('get', path, { ...(query ? { query } : {}), ...(params ? { params } : {}) });
  }

  /** Reads the delta from the device's cursor to the head, moving the cursor; returns the entries. */
  async sync(): Promise<DeltaEntry[]> {
    const r = await this.client.deltaSince(this.cursor || undefined);
    this.cursor = r.cursor;
    return r.entries;
  }

  /** Moves the device's cursor to the head. */
  async latest(): Promise<string> {
    this.cursor = (await this.client.latest()).cursor;
    return this.cursor;
  }

  /** The head seq of the journal. */
  async headSeq(): Promise<number> {
    return (await this.client.latest()).seq;
  }

  /** One delta page, as answered. */
  deltaPage(cursor: string | undefined, limit?: number): Promise<ApiReply<DeltaPage>> {
    return this.get('/v1/delta', { ...(cursor !== undefined ? { cursor } : {}), ...(limit !== undefined ? { limit } : {}) });
  }

  /** Every page from `cursor` (absent: the beginning) without moving the device's cursor. */
  readDelta(cursor?: string, limit?: number): Promise<{ entries: DeltaEntry[]; cursor: string; pages: number }> {
    return this.client.deltaSince(cursor, limit);
  }

  /** Every live entry of a folder (all pages). */
  listAll(ref: { id: string } | { path: string }, opts: { recursive?: boolean; limit?: number } = {}): Promise<Entry[]> {
    return this.client.list(ref, opts.recursive ?? false, opts.limit);
  }

  /** `GET /v1/files/content` with these headers; the body as bytes. */
  download(query: Query<'/v1/files/content', 'get'>, headers: Record<string, string> = {}): Promise<Fetched> {
    return this.fetchContent('GET', query, headers);
  }

  head(query: Query<'/v1/files/content', 'get'>, headers: Record<string, string> = {}): Promise<Fetched> {
    return this.fetchContent('HEAD', query, headers);
  }

  private async fetchContent(method: 'GET' | 'HEAD', query: Query<'/v1/files/content', 'get'>, headers: Record<string, string>): Promise<Fetched> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const res = await this.client.fetchRaw(method, `/v1/files/content?${q.toString()}`, { headers });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  // ── blocks ────────────────────────────────────────────────────────────────────────────

  /** Uploads the blocks of `data` the server lacks (the SDK's upload); returns the block list. */
  async upload(data: Buffer): Promise<string[]> {
    return (await this.uploadBlocks(data)).blocks;
  }

  /** Uploads the blocks of `data` the server lacks, one at a time; says how many went up. */
  async uploadBlocks(data: Buffer): Promise<{ blocks: string[]; uploaded: number }> {
    const { blocks } = hashBuffer(data);
    const { uploaded } = await uploadMissingBlocks(this.client, data, blocks, { parallel: 1, tries: 1 });
    return { blocks, uploaded };
  }

  /** `PUT /v1/blocks/{hash}` with these bytes (whether or not they hash to it). */
  putBlock(hash: string, bytes: Uint8Array): Promise<ApiReply<UploadBlockResult>> {
    return this.client.call('put', '/v1/blocks/{hash}', { params: { hash }, body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  }

  /** Which of these blocks this user still has to upload. */
  check(hashes: string[]): Promise<string[]> {
    return this.client.checkBlocks(hashes);
  }

  // ── writes (with the device's cursor unless the op names one) ─────────────────────────

  mkdir(op: Op<CreateFolderOp>): Promise<ApiReply<WriteResult>> {
    return this.client.call('post', '/v1/folders', { json: this.based(op) });
  }

  commit(op: Op<CommitOp>): Promise<ApiReply<WriteResult>> {
    return this.client.call('post', '/v1/files/commit', { json: this.based(op) });
  }

  /** Uploads what is missing of `data`, then commits it at `place`. */
  async putFile(place: Place, data: Buffer, extra: Partial<Op<CommitOp>> = {}): Promise<ApiReply<WriteResult>> {
    const blocks = await this.upload(data);
    return this.commit({ ...place, blocks, size: data.length, ...extra });
  }

  move(op: Op<MoveOp>): Promise<ApiReply<WriteResult>> {
    return this.client.call('post', '/v1/files/move', { json: this.based(op) });
  }

  remove(op: Op<DeleteOp>): Promise<ApiReply<WriteResult>> {
    return this.client.call('post', '/v1/files/delete', { json: this.based(op) });
  }

  restore(op: Op<RestoreOp>): Promise<ApiReply<WriteResult>> {
    return this.client.call('post', '/v1/files/restore', { json: this.based(op) });
  }

  restoreRevision(op: Op<RestoreRevisionOp>): Promise<ApiReply<WriteResult>> {
    return this.client.call('post', '/v1/files/revisions/restore', { json: this.based(op) });
  }

  resolve(conflictId: string, op: Op<ResolveConflictOp>): Promise<ApiReply<WriteResult>> {
    return this.client.call('post', '/v1/conflicts/{id}/resolve', { params: { id: conflictId }, json: this.based(op) });
  }

  /** `POST /v1/batch`: each op with the device's cursor unless it names one. */
  batch(ops: Op<BatchOp>[], opts: { stopOnError?: boolean } = {}): Promise<ApiReply<Success<'/v1/batch', 'post'>>> {
    return this.client.call('post', '/v1/batch', { json: { ops: ops.map((o) => this.based(o)), ...opts } });
  }

  /** A request the SDK's types would refuse (malformed input), with this device's token and cursor. */
  sendRaw(method: string, path: string, body?: Record<string, unknown>): Promise<ApiResponse> {
    return this.api.request(method, path, { token: this.token, ...(body ? { body: { baseCursor: this.cursor, ...body } } : {}) });
  }

  private based<T extends { baseCursor?: string }>(op: T): T & { baseCursor: string } {
    return { ...op, baseCursor: op.baseCursor ?? this.cursor };
  }
}

/** A content download: status, headers and the bytes. */
export interface Fetched {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** A fresh account: its credentials and the session of its first device. */
export type Account = SessionInfo & { email: string; password: string };

/** A fresh account and its first device, with the cursor at the head. */
export async function newDevice(api: ApiClient): Promise<{ session: Account; device: Device }> {
  const session = await api.register();
  const device = Device.of(api, session, 'test phone');
  await device.latest();
  return { session, device };
}

/** Another device of the same account (a second login), with the cursor at the head. */
export async function loginDevice(api: ApiClient, account: { email: string; password: string }, name = 'second device'): Promise<Device> {
  const device = Device.of(api, await api.login(account.email, account.password, name), name);
  await device.latest();
  return device;
}

/** The body of a write that must succeed (201); the assertion shows the error body otherwise. */
export async function written(reply: Promise<ApiReply<WriteResult>>): Promise<WriteResult> {
  const res = await reply;
  expect(res.status, JSON.stringify(res.raw)).toBe(201);
  return res.body;
}
