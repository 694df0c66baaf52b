import type { Readable } from 'node:stream';

/** Where block content lives. Content-addressed: callers put a key with the SHA-256 the bytes must have. */
export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Creates what the store needs (directories, the bucket). Idempotent. */
  init(): Promise<void>;
  /**
   * Stores `body` under `key` if its bytes hash to `sha256` (lowercase hex) and number exactly
   * `size`. Otherwise throws BlobIntegrityError and keeps nothing. Writing an existing key with
   * the same bytes is harmless. Memory stays flat: a stream body is streamed, never buffered
   * whole; bytes already in memory (small blocks of a pack) are written as they are.
   */
  put(key: string, body: Readable | Uint8Array, expected: { sha256: string; size: number }): Promise<void>;
  /** Streams the blob, or bytes [start, end] of it (inclusive). Throws BlobNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  head(key: string): Promise<BlobInfo | null>;
  /** Removes the blob; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored blob, in no particular order (for garbage collection). */
  list(): AsyncIterable<BlobInfo>;
  /** Throws if the store cannot be reached (for /health). */
  ping(): Promise<void>;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface BlobInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export const BLOB_STORE = Symbol('BlobStore');

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob ${key} not found`);
    this.name = 'BlobNotFoundError';
  }
}

/** The bytes did not match the expected hash or size; nothing was stored. */
export class BlobIntegrityError extends Error {
  constructor(
    readonly reason: 'hash' | 'size',
    message: string,
  ) {
    super(message);
    this.name = 'BlobIntegrityError';
  }
}

const KEY = /^[a-zA-Z0-9_-][a-zA-Z0-9._-]{3,199}$/;

/** Keys are plain tokens (in practice SHA-256 hex); anything else is a programming error. */
export function assertKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
}
