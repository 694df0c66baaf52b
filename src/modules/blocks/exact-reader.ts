import type { Readable } from 'node:stream';

/** The body ended before the bytes it was said to hold. */
export class ShortBodyError extends Error {
  constructor() {
    super('the body ended early');
    this.name = 'ShortBodyError';
  }
}

/** Reads a stream in pieces of exact sizes (a binary format's fields), holding at most one piece and one chunk. */
export class ExactReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);

  constructor(body: Readable) {
    this.chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** The next `n` bytes; ShortBodyError when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    const parts = [this.pending];
    let have = this.pending.length;
    while (have < n) {
      const next = await this.chunks.next();
      if (next.done) throw new ShortBodyError();
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      parts.push(chunk);
      have += chunk.length;
    }
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    this.pending = all.subarray(n);
    return all.subarray(0, n);
  }
}
