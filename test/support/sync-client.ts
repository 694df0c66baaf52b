import { createHash } from 'node:crypto';
import { BLOCK_SIZE, hashBuffer } from '../../src/shared/content-hash.js';
import type { ApiClient } from './api-client.js';

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
    const res = await fetch(`${this.api.baseUrl}/v1/files/content?${query}`, { headers: { authorization: `Bearer ${this.token}`, ...headers } });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }
}
