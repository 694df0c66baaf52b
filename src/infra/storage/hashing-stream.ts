import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BlobIntegrityError } from './blob-store.js';

/**
 * Passes bytes through while hashing and counting them, and fails the stream as soon as
 * more than `maxBytes` arrive — so an oversized body is cut off, not read to the end.
 */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      cb(new BlobIntegrityError('size', `more than ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  /** The hex digest; call once the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }

  /** Throws BlobIntegrityError unless what went through matches. Call after the stream ended. */
  verify(expected: { sha256: string; size: number }): void {
    verifyDigest(this.bytes, () => this.digest(), expected);
  }
}

/** Throws BlobIntegrityError unless `bytes`, held whole, are the expected ones. */
export function verifyBytes(bytes: Uint8Array, expected: { sha256: string; size: number }): void {
  verifyDigest(bytes.length, () => createHash('sha256').update(bytes).digest('hex'), expected);
}

function verifyDigest(size: number, digest: () => string, expected: { sha256: string; size: number }): void {
  if (size !== expected.size) throw new BlobIntegrityError('size', `expected ${expected.size} bytes, got ${size}`);
  const actual = digest();
  if (actual !== expected.sha256) throw new BlobIntegrityError('hash', `expected SHA-256 ${expected.sha256}, got ${actual}`);
}
