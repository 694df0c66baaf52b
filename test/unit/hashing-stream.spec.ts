import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BlobIntegrityError } from '../../src/infra/storage/blob-store.js';
import { HashingStream } from '../../src/infra/storage/hashing-stream.js';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function chunksOf(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

/** Pipes `chunks` through `hs` into memory; resolves to what came out. */
async function run(hs: HashingStream, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline(Readable.from(chunks, { objectMode: false }), hs, sink);
  return Buffer.concat(out);
}

function integrityError(fn: () => void): BlobIntegrityError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BlobIntegrityError);
  return caught as BlobIntegrityError;
}

const DATA = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

describe('HashingStream', () => {
  it('passes the bytes through unchanged and verifies them', async () => {
    const hs = new HashingStream(DATA.length);
    const out = await run(hs, chunksOf(DATA, 777));
    expect(out.equals(DATA)).toBe(true);
    expect(hs.bytes).toBe(DATA.length);
    expect(() => hs.verify({ sha256: sha256(DATA), size: DATA.length })).not.toThrow();
  });

  it('verifies when the limit is above the size', async () => {
    const hs = new HashingStream(DATA.length * 2);
    await run(hs, chunksOf(DATA, 4096));
    expect(() => hs.verify({ sha256: sha256(DATA), size: DATA.length })).not.toThrow();
  });

  it('gives the digest of what went through', async () => {
    const hs = new HashingStream(DATA.length);
    await run(hs, chunksOf(DATA, 1000));
    expect(hs.digest()).toBe(sha256(DATA));
  });

  it('verifies an empty body', async () => {
    const hs = new HashingStream(0);
    await run(hs, []);
    expect(hs.bytes).toBe(0);
    expect(() => hs.verify({ sha256: sha256(new Uint8Array(0)), size: 0 })).not.toThrow();
  });

  it('fails mid-stream, without reading to the end, once more than the limit arrives', async () => {
    const total = 1000;
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < total; i++) {
        pulled++;
        await Promise.resolve();
        yield Buffer.alloc(1024, i % 256);
      }
    }
    const hs = new HashingStream(2500);
    const passed: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        passed.push(chunk);
        cb();
      },
    });
    const err = await pipeline(Readable.from(source(), { objectMode: false }), hs, sink).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BlobIntegrityError);
    expect((err as BlobIntegrityError).reason).toBe('size');
    // Cut off early: most of the 1000 chunks were never produced.
    expect(pulled).toBeLessThan(100);
    // Nothing past the limit was passed on.
    expect(Buffer.concat(passed).length).toBeLessThanOrEqual(2500);
  });

  it('a body one byte over the limit fails', async () => {
    const hs = new HashingStream(DATA.length - 1);
    const err = await run(hs, [DATA]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BlobIntegrityError);
    expect((err as BlobIntegrityError).reason).toBe('size');
  });

  it('a body shorter than expected fails at verify', async () => {
    const short = DATA.subarray(0, DATA.length - 1);
    const hs = new HashingStream(DATA.length);
    await run(hs, chunksOf(short, 1000));
    const err = integrityError(() => hs.verify({ sha256: sha256(DATA), size: DATA.length }));
    expect(err.reason).toBe('size');
  });

  it('a body with the wrong hash fails at verify', async () => {
    const other = Buffer.from(DATA);
    other[5000] = (other[5000]! + 1) % 256;
    const hs = new HashingStream(DATA.length);
    await run(hs, chunksOf(other, 1000));
    const err = integrityError(() => hs.verify({ sha256: sha256(DATA), size: DATA.length }));
    expect(err.reason).toBe('hash');
  });

  it('an expected hash in uppercase does not match (hashes are lowercase hex)', async () => {
    const hs = new HashingStream(DATA.length);
    await run(hs, [DATA]);
    expect(integrityError(() => hs.verify({ sha256: sha256(DATA).toUpperCase(), size: DATA.length })).reason).toBe('hash');
  });
});
