import { createHash } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { BLOB_STORE, BlobIntegrityError, type BlobStore, type ByteRange } from '../../infra/storage/blob-store.js';
import { HashingStream } from '../../infra/storage/hashing-stream.js';
import { decodePackCount, decodePackTable, packHeaderSize, type PackEntry } from '../../shared/block-pack.js';
import { BLOCK_SIZE, isBlockHash, MAX_CHECK_HASHES } from '../../shared/content-hash.js';
import { BlocksErrors } from './blocks.errors.js';
import { BlocksRepository } from './blocks.repository.js';
import { ExactReader, ShortBodyError } from './exact-reader.js';

/** How long a holding this process just recorded is trusted without reading it back (well under the GC grace). */
const JUST_HELD_MS = 10 * 60_000;
/** Holdings remembered at most (about 100 bytes each). */
const JUST_HELD_MAX = 200_000;
/** Blob-store writes one pack keeps in flight. */
const PACK_PARALLEL_WRITES = 4;

export interface UploadResult {
  hash: string;
  size: number;
  /** False when this user already held the block (its bytes were still verified). */
  created: boolean;
}

@Injectable()
export class BlocksService {
  private readonly logger = new Logger(BlocksService.name);
  /** Holdings this process recorded lately: see noteHeld. */
  private readonly justHeld = new Map<string, { size: number; until: number }>();

  constructor(
    private readonly repo: BlocksRepository,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly clock: Clock,
  ) {}

  /**
   * The hashes this user still has to upload. Says nothing about what other users store:
   * a block someone else uploaded is still "missing" for you until you upload its bytes.
   */
  async missing(userId: string, hashes: string[]): Promise<string[]> {
    if (hashes.length > MAX_CHECK_HASHES) throw BlocksErrors.tooManyHashes(MAX_CHECK_HASHES);
    if (!hashes.every(isBlockHash)) throw BlocksErrors.invalidHash();
    const unique = [...new Set(hashes)];
    // Content nobody ever stored (most of what a device imports) is missing without a look-up.
    const unseen = new Set(this.repo.neverStored(unique));
    const held = await this.heldSizes(userId, unique.filter((h) => !unseen.has(h)));
    return unique.filter((h) => !held.has(h));
  }

  /**
   * Takes a block's bytes from `body`, verifying them against `hash` as they stream. New
   * content goes to the blob store; content stored already (by anyone) is only verified, so
   * storage keeps one object per hash. Either way the user must have sent the real bytes.
   */
  async upload(userId: string, hash: string, body: Readable, contentLength: number | undefined): Promise<UploadResult> {
    if (!isBlockHash(hash)) throw BlocksErrors.invalidHash();
    if (contentLength === undefined) throw BlocksErrors.lengthRequired();
    if (contentLength > BLOCK_SIZE) throw BlocksErrors.tooLarge();

    // A block garbage collection has marked is written out again, not trusted to stay.
    const marked = (await this.repo.markedForSweep([hash])).has(hash);
    const held = (await this.repo.heldBy(userId, [hash])).has(hash) && !marked;
    const expected = { sha256: hash, size: contentLength };
    if (marked) await this.repo.cancelSweep(hash);
    try {
      // Bytes of a block stored already — even one this user holds — are verified, never
      // acknowledged unread: a 2xx always means "these were the right bytes".
      if (held || (!marked && (await this.repo.stored(hash)))) {
        const hasher = new HashingStream(contentLength);
        await pipeline(body, hasher, devNull());
        hasher.verify(expected);
      } else {
        await this.store.put(hash, body, expected);
        await this.repo.recordStored(hash, contentLength, this.clock.now());
      }
    } catch (err) {
      if (err instanceof BlobIntegrityError) throw err.reason === 'hash' ? BlocksErrors.hashMismatch() : BlocksErrors.sizeMismatch();
      // A client that hangs up mid-body is not a server error (nothing was kept either way).
      if (clientWentAway(body)) throw BlocksErrors.aborted();
      throw err;
    }
    if (held) return { hash, size: contentLength, created: false };
    await this.repo.recordHeld(userId, hash, contentLength, this.clock.now());
    this.noteHeld(userId, [{ hash, size: contentLength }]);
    this.logger.debug({ hash, size: contentLength }, 'block uploaded');
    return { hash, size: contentLength, created: true };
  }

  /**
   * Takes a block pack (src/shared/block-pack.ts): many small blocks in one body. It reads
   * nothing per block from the database: each block's bytes are verified and written to the blob
   * store (a few writes in flight, one block in memory at a time; a block stored already is
   * simply written again, which also makes it safe from a sweep), then what was stored and what
   * this user now holds are recorded in two unordered inserts (records that exist stay). Blocks
   * garbage collection had marked are unmarked first, as `upload` does. A block whose bytes do
   * not match stops the pack: the blocks before it are kept, it and the blocks after it are not
   * (HASH_MISMATCH names it). Devices send what `check` said is missing, so little is rewritten.
   */
  async uploadPack(userId: string, body: Readable, contentLength: number | undefined): Promise<UploadResult[]> {
    if (contentLength === undefined) throw BlocksErrors.lengthRequired();
    const reader = new ExactReader(body);
    const read = (n: number): Promise<Buffer> =>
      reader.read(n).catch((err: unknown) => {
        // A client that hangs up mid-body ends the stream early or errors it ("aborted").
        if (clientWentAway(body)) throw BlocksErrors.aborted();
        if (err instanceof ShortBodyError) throw BlocksErrors.sizeMismatch();
        throw err;
      });
    const count = decodePackCount(await read(8));
    if (typeof count === 'string') throw BlocksErrors.packInvalid(count);
    const entries = decodePackTable(await read(36 * count), count);
    if (typeof entries === 'string') throw BlocksErrors.packInvalid(entries);
    const declared = packHeaderSize(count) + entries.reduce((n, e) => n + e.size, 0);
    if (declared !== contentLength) throw BlocksErrors.packInvalid(`its table adds up to ${declared} bytes, its Content-Length says ${contentLength}`);

    const marked = await this.repo.markedForSweep(entries.map((e) => e.hash));
    await Promise.all([...marked].map((h) => this.repo.cancelSweep(h)));
    // In the blob store now, verified: only those get records.
    const written: PackEntry[] = [];
    const writes = new Set<Promise<void>>();
    const failed: { error: unknown }[] = [];
    const record = async (): Promise<Set<string>> => {
      await Promise.all(writes);
      const at = this.clock.now();
      await this.repo.recordStoredMany(written, at);
      return this.repo.recordHeldMany(userId, written, at, marked);
    };
    try {
      for (const [index, e] of entries.entries()) {
        const bytes = await read(e.size);
        if (createHash('sha256').update(bytes).digest('hex') !== e.hash) throw BlocksErrors.packHashMismatch(index, e.hash);
        while (writes.size >= PACK_PARALLEL_WRITES) await Promise.race(writes);
        if (failed[0]) throw failed[0].error;
        const w: Promise<void> = this.store
          .put(e.hash, bytes, { sha256: e.hash, size: e.size })
          .then(
            () => void written.push(e),
            (error: unknown) => void failed.push({ error }),
          )
          .finally(() => writes.delete(w));
        writes.add(w);
      }
    } catch (err) {
      await record();
      throw err;
    }
    const existed = await record();
    // Holdings recorded now (new ones, and marked ones whose time moved on), not older ones.
    this.noteHeld(userId, written.filter((e) => !existed.has(e.hash) || marked.has(e.hash)));
    if (failed[0]) throw failed[0].error;
    this.logger.debug({ blocks: entries.length }, 'block pack uploaded');
    return entries.map((e) => ({ hash: e.hash, size: e.size, created: !existed.has(e.hash) }));
  }

  /**
   * Sizes of the blocks this user holds, for commit validation. A block garbage collection
   * is about to delete counts as not held: the device uploads it again, which saves it.
   */
  async heldSizes(userId: string, hashes: readonly string[]): Promise<Map<string, number>> {
    const now = this.clock.now().getTime();
    const known = new Map<string, number>();
    const ask: string[] = [];
    for (const h of hashes) {
      const j = this.justHeld.get(`${userId}:${h}`);
      if (j && j.until > now) known.set(h, j.size);
      else ask.push(h);
    }
    const [held, marked] = await Promise.all([ask.length > 0 ? this.repo.heldBy(userId, ask) : new Map<string, number>(), this.repo.markedForSweep(hashes)]);
    for (const [h, size] of known) held.set(h, size);
    for (const h of marked) held.delete(h);
    return held;
  }

  /**
   * Remembers, for JUST_HELD_MS, that this process just recorded (with the time now) that the
   * user holds a block — the commit that follows an upload then does not read it back. Safe
   * because garbage collection never touches a block or a holding recorded within its grace
   * period (GC_GRACE_HOURS, at least an hour; JUST_HELD_MS is far below it), and marks are
   * still read live on every check. Only this process's own records: nothing to invalidate.
   */
  private noteHeld(userId: string, blocks: readonly PackEntry[]): void {
    const until = this.clock.now().getTime() + JUST_HELD_MS;
    for (const { hash, size } of blocks) {
      const key = `${userId}:${hash}`;
      this.justHeld.delete(key);
      this.justHeld.set(key, { size, until });
    }
    for (const key of this.justHeld.keys()) {
      if (this.justHeld.size <= JUST_HELD_MAX) break;
      this.justHeld.delete(key);
    }
  }

  /** How many blocks are stored, and their bytes (after dedup). */
  storedTotals(): Promise<{ blocks: number; bytes: number }> {
    return this.repo.storedTotals();
  }

  /** The stored bytes of a block (callers check that the user may read it). */
  read(hash: string, range?: ByteRange): Promise<Readable> {
    return this.store.get(hash, range);
  }
}

/**
 * Whether the body is an HTTP request whose client closed the connection before sending all of
 * it (duck-typed: the service takes any stream). A failing blob store leaves the client's
 * connection open, so its errors are not mistaken for this.
 */
function clientWentAway(body: Readable): boolean {
  const req = body as Readable & { complete?: boolean; socket?: { destroyed?: boolean } };
  return req.complete === false && req.socket?.destroyed === true;
}

/** A sink that drops what it is given (the bytes only needed hashing). */
function devNull() {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}
