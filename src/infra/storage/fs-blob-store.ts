import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertKey, BlobNotFoundError, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.js';
import { HashingStream, verifyBytes } from './hashing-stream.js';

/**
 * Blobs as files under `root/ab/cd/<key>`. A put writes a temp file while hashing, fsyncs it
 * and renames it into place, so a reader never sees a partial blob and a crash leaves only
 * temp files (swept at init).
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  private readonly tmpDir: string;
  /** Directories made or seen (at most 65,536: two levels of two hex digits). */
  private readonly dirs = new Set<string>();

  constructor(private readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    // Temp files older than an hour belong to puts that crashed.
    const cutoff = Date.now() - 3_600_000;
    for (const name of await readdir(this.tmpDir)) {
      const p = path.join(this.tmpDir, name);
      const s = await stat(p).catch(() => null);
      if (s && s.mtimeMs < cutoff) await rm(p, { force: true });
    }
  }

  private pathOf(key: string): string {
    assertKey(key);
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(key: string, body: Readable | Uint8Array, expected: { sha256: string; size: number }): Promise<void> {
    const final = this.pathOf(key);
    const tmp = path.join(this.tmpDir, randomUUID());
    if (body instanceof Uint8Array) verifyBytes(body, expected); // bad bytes make no temp file
    try {
      // One descriptor written, synced and closed (a small block costs its system calls, not its bytes).
      const fh = await open(tmp, 'wx');
      try {
        if (body instanceof Uint8Array) {
          await writeAll(fh, body);
        } else {
          const hasher = new HashingStream(expected.size);
          await pipeline(body, hasher, async (chunks: AsyncIterable<Buffer>) => {
            for await (const chunk of chunks) await writeAll(fh, chunk);
          });
          hasher.verify(expected);
        }
        await fh.datasync();
      } finally {
        await fh.close();
      }
      const dir = path.dirname(final);
      if (!this.dirs.has(dir)) await this.makeDir(dir);
      await rename(tmp, final).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        await this.makeDir(dir); // removed behind our back since
        await rename(tmp, final);
      });
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  private async makeDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.dirs.add(dir);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const p = this.pathOf(key);
    // Open first so a missing blob is a clear error, not an error event on the stream later.
    const fh = await open(p, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new BlobNotFoundError(key);
      throw err;
    });
    return fh.createReadStream({ autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async head(key: string): Promise<BlobInfo | null> {
    const s = await stat(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    return s ? { key, size: s.size, lastModified: s.mtime } : null;
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await readdirSafe(this.root)) {
      if (a === 'tmp' || a.length !== 2) continue;
      for (const b of await readdirSafe(path.join(this.root, a))) {
        for (const key of await readdirSafe(path.join(this.root, a, b))) {
          const s = await stat(path.join(this.root, a, b, key)).catch(() => null);
          if (s?.isFile()) yield { key, size: s.size, lastModified: s.mtime };
        }
      }
    }
  }

  async ping(): Promise<void> {
    await stat(this.tmpDir);
  }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += (await fh.write(bytes, at)).bytesWritten;
}

async function readdirSafe(dir: string): Promise<string[]> {
  return readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}
