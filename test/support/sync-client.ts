import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BLOCK_SIZE, hashBuffer } from '../../src/shared/content-hash.js';
import type { AppConfig } from '../../src/config/app-config.js';
import type { ApiClient, ApiResponse, Session } from './api-client.js';

export const MiB = 1024 * 1024;

/** What a device does to store bytes: hash, ask what is missing, upload only that. */
export async function uploadBlocks(api: ApiClient, token: string, data: Buffer): Promise<{ blocks: string[]; uploaded: number }> {
  const { blocks } = hashBuffer(data);
  const check = await api.post('/v1/blocks/check', { hashes: blocks }, token);
  if (check.status !== 200) throw new Error(`check failed: ${check.status} ${JSON.stringify(check.body)}`);
  const missing = new Set<string>(check.body.missing);
  let uploaded = 0;
  for (let i = 0; i < blocks.length; i++) {
    const hash = blocks[i]!;
    if (!missing.has(hash)) continue;
    missing.delete(hash);
    const res = await putBlock(api, token, hash, data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
    if (res.status !== 201 && res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
    uploaded++;
  }
  return { blocks, uploaded };
}

export function putBlock(api: ApiClient, token: string, hash: string, bytes: Buffer) {
  return api.request('PUT', `/v1/blocks/${hash}`, { token, raw: bytes, headers: { 'content-type': 'application/octet-stream' } });
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The block hashes of `data`, as a client computes them. */
export const blocksOf = (data: Buffer): string[] => hashBuffer(data).blocks;

/** The Dropbox content hash of `data`. */
export const contentHashOf = (data: Buffer): string => hashBuffer(data).contentHash;

/** A device's view: its token and the cursor it has applied. */
export class Device {
  cursor = '';

  constructor(
    readonly api: ApiClient,
    readonly token: string,
  ) {}

  async sync(): Promise<any[]> {
    const all: any[] = [];
    for (;;) {
      const q = this.cursor ? `?cursor=${encodeURIComponent(this.cursor)}` : '';
      const res = await this.api.get(`/v1/delta${q}`, this.token);
      if (res.status !== 200) throw new Error(`delta failed: ${res.status} ${JSON.stringify(res.body)}`);
      all.push(...res.body.entries);
      this.cursor = res.body.cursor;
      if (!res.body.hasMore) return all;
    }
  }

  async latest(): Promise<string> {
    const res = await this.api.get('/v1/delta/latest', this.token);
    this.cursor = res.body.cursor;
    return this.cursor;
  }

  post(path: string, body: Record<string, unknown>) {
    return this.api.post(path, { baseCursor: this.cursor, ...body }, this.token);
  }

  async putFile(pathOrParent: { path: string } | { parentId: string; name: string }, data: Buffer, extra: Record<string, unknown> = {}) {
    const { blocks } = await uploadBlocks(this.api, this.token, data);
    return this.post('/v1/files/commit', { ...pathOrParent, blocks, size: data.length, ...extra });
  }

  async download(query: string, headers: Record<string, string> = {}) {
    return this.fetchContent('GET', query, headers);
  }

  async head(query: string, headers: Record<string, string> = {}) {
    return this.fetchContent('HEAD', query, headers);
  }

  private async fetchContent(method: string, query: string, headers: Record<string, string>) {
    const res = await fetch(`${this.api.baseUrl}/v1/files/content?${query}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...headers },
    });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  // ── helpers added for the sync e2e suites ─────────────────────────────────────────────────

  get(path: string): Promise<ApiResponse> {
    return this.api.get(path, this.token);
  }

  /** A write with an explicit base cursor (not the device's). */
  postWith(baseCursor: string, path: string, body: Record<string, unknown>) {
    return this.api.post(path, { baseCursor, ...body }, this.token);
  }

  /** POST /v1/folders: `{path}` or `{parentId?, name}`, optionally with `id`, `opId`. */
  mkdir(body: Record<string, unknown>) {
    return this.post('/v1/folders', body);
  }

  /** Uploads blocks only (no commit); returns the block list. */
  async upload(data: Buffer): Promise<string[]> {
    return (await uploadBlocks(this.api, this.token, data)).blocks;
  }

  async check(hashes: string[]): Promise<string[]> {
    const res = await this.api.post('/v1/blocks/check', { hashes }, this.token);
    if (res.status !== 200) throw new Error(`check failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.missing;
  }

  /** The head seq of the journal. */
  async headSeq(): Promise<number> {
    const res = await this.api.get('/v1/delta/latest', this.token);
    if (res.status !== 200) throw new Error(`latest failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.seq;
  }

  /** One delta page (the response as is). */
  deltaPage(cursor: string | undefined, limit?: number): Promise<ApiResponse> {
    const q = new URLSearchParams();
    if (cursor !== undefined) q.set('cursor', cursor);
    if (limit !== undefined) q.set('limit', String(limit));
    const s = q.toString();
    return this.api.get(`/v1/delta${s ? `?${s}` : ''}`, this.token);
  }

  /** Reads every page from `cursor` (absent: the beginning) without moving the device's cursor. */
  async readDelta(cursor?: string, limit?: number): Promise<{ entries: any[]; cursor: string; pages: number }> {
    const entries: any[] = [];
    let pages = 0;
    let at = cursor;
    for (;;) {
      const res = await this.deltaPage(at, limit);
      if (res.status !== 200) throw new Error(`delta failed: ${res.status} ${JSON.stringify(res.body)}`);
      pages++;
      entries.push(...res.body.entries);
      at = res.body.cursor;
      if (!res.body.hasMore) return { entries, cursor: at!, pages };
      if (pages > 10_000) throw new Error('delta never ends');
    }
  }

  /** Every entry of a folder listing (all pages). */
  async listAll(query: string, limit?: number): Promise<any[]> {
    const entries: any[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10_000; i++) {
      const q: string = `${query}${limit ? `&limit=${limit}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await this.get(`/v1/files/list?${q}`);
      if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`);
      entries.push(...res.body.entries);
      if (!res.body.hasMore) return entries;
      cursor = res.body.cursor;
    }
    throw new Error('listing never ends');
  }
}

/** A fresh account and its first device, with the cursor at the head. */
export type Account = Session & { email: string; password: string };

export async function newDevice(api: ApiClient): Promise<{ session: Account; device: Device }> {
  const session = await api.register();
  const device = new Device(api, session.tokens.accessToken);
  await device.latest();
  return { session, device };
}

/** Another device of the same account (a second login), with the cursor at the head. */
export async function loginDevice(api: ApiClient, account: Account, name = 'second device'): Promise<Device> {
  const s = await api.login(account.email, account.password, name);
  const device = new Device(api, s.tokens.accessToken);
  await device.latest();
  return device;
}

// ── raw HTTP (what fetch will not do: chunked bodies, bodies cut short) ─────────────────────

export interface RawResult {
  status: number | null;
  body: any;
  /** Set when the connection ended without a response. */
  error?: string;
}

/**
 * A request through node:http. `chunks` are written in order; `contentLength` (if given) is
 * sent as is, whatever the chunks add up to; without it Node sends `Transfer-Encoding:
 * chunked`. With `cutOff`, the socket is destroyed after the chunks instead of ending the body.
 */
export function rawRequest(
  baseUrl: string,
  opts: { method: string; path: string; headers?: Record<string, string>; chunks?: Buffer[]; contentLength?: number; cutOff?: boolean },
): Promise<RawResult> {
  const url = new URL(opts.path, baseUrl);
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.contentLength !== undefined) headers['content-length'] = String(opts.contentLength);
    const req = http.request(url, { method: opts.method, headers });
    let settled = false;
    const done = (r: RawResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: any = text;
        if ((res.headers['content-type'] ?? '').includes('json') && text) body = JSON.parse(text);
        done({ status: res.statusCode ?? null, body });
      });
      res.on('error', (err) => done({ status: res.statusCode ?? null, body: null, error: err.message }));
    });
    req.on('error', (err) => done({ status: null, body: null, error: err.message }));
    req.on('close', () => done({ status: null, body: null, error: 'closed without a response' }));
    void (async () => {
      for (const c of opts.chunks ?? []) {
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      if (opts.cutOff) {
        // Let the bytes reach the server before the connection goes away.
        await new Promise((r) => setTimeout(r, 100));
        req.destroy();
      } else {
        req.end();
      }
    })();
  });
}

// ── what the blob store holds ───────────────────────────────────────────────────────────────

/** The keys of every stored blob (fs: files under ab/cd/, ignoring tmp/; s3: objects under the prefix). */
export async function storedBlobKeys(config: AppConfig): Promise<string[]> {
  const bs = config.blobStore;
  if (bs.kind === 'fs') {
    const out: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (depth === 0 && e.name === 'tmp') continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p, depth + 1);
        else out.push(e.name);
      }
    };
    await walk(bs.dir, 0);
    return out.sort();
  }
  const client = new S3Client({
    ...(bs.endpoint ? { endpoint: bs.endpoint } : {}),
    region: bs.region,
    forcePathStyle: bs.forcePathStyle,
    ...(bs.credentials ? { credentials: bs.credentials } : {}),
  });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bs.bucket, Prefix: bs.prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(bs.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  } finally {
    client.destroy();
  }
}

/** Files left in the fs store's temp area (always [] for s3). */
export async function fsTempFiles(config: AppConfig): Promise<string[]> {
  if (config.blobStore.kind !== 'fs') return [];
  return readdir(path.join(config.blobStore.dir, 'tmp')).catch(() => []);
}

/** Polls `check` until it holds (for effects that finish after a response, e.g. an aborted upload's clean-up). */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, tries = 100, everyMs = 50): Promise<T> {
  let v = await probe();
  for (let i = 0; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await probe();
  }
  return v;
}
