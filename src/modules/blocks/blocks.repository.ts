import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { DatabaseTarget } from '../../infra/database/database.module.js';
import { mapLimit } from '../../common/async.js';
import { insertIgnoringDuplicates, isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { HashFilter } from './hash-filter.js';
import { BLOCK_MODEL, SWEEP_MODEL, USER_BLOCK_MODEL, type BlockDoc, type SweepDoc, type UserBlockDoc } from './schemas/block.schema.js';

const PARALLEL_READS = 32;
/** `_id`s per `$in` read of holdings on MongoDB. */
const IN_READ = 1000;
/** The stored-blocks filter is made for at least this many blocks (1.25 MB). */
const FILTER_MIN_CAPACITY = 1_000_000;

@Injectable()
export class BlocksRepository implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BlocksRepository.name);
  private readonly blocks: Collection<BlockDoc>;
  private readonly userBlocks: Collection<UserBlockDoc>;
  private readonly sweeps: Collection<SweepDoc>;
  /** MongoDB serves `_id: {$in}` from its index; FerretDB on SQLite only a lone `_id` equality. */
  private readonly pointReads: boolean;
  /** Every block stored before it was filled, and every block this process stored since (FerretDB only). */
  private filter: HashFilter | null = null;
  /** The filter being filled; blocks this process stores meanwhile go into it too. */
  private filling: HashFilter | null = null;
  private closed = false;

  constructor(
    @InjectModel(BLOCK_MODEL) private readonly blockModel: Model<BlockDoc>,
    @InjectModel(USER_BLOCK_MODEL) private readonly userBlockModel: Model<UserBlockDoc>,
    @InjectModel(SWEEP_MODEL) private readonly sweepModel: Model<SweepDoc>,
    target: DatabaseTarget,
  ) {
    this.blocks = collectionOf(blockModel);
    this.userBlocks = collectionOf(userBlockModel);
    this.sweeps = collectionOf(sweepModel);
    this.pointReads = target.flavor === 'ferretdb';
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.blockModel.init(), this.userBlockModel.init(), this.sweepModel.init()]);
  }

  onApplicationBootstrap(): void {
    if (this.pointReads) this.refill();
  }

  onModuleDestroy(): void {
    this.closed = true;
  }

  /** Sizes of the given blocks that this user holds. */
  async heldBy(userId: string, hashes: readonly string[]): Promise<Map<string, number>> {
    const held = new Map<string, number>();
    if (!this.pointReads) {
      for (let i = 0; i < hashes.length; i += IN_READ) {
        const ids = hashes.slice(i, i + IN_READ).map((h) => `${userId}:${h}`);
        for (const d of await this.userBlocks.find({ _id: { $in: ids } }, { projection: { hash: 1, size: 1 } }).toArray()) held.set(d.hash, d.size);
      }
      return held;
    }
    const docs = await mapLimit(hashes, PARALLEL_READS, (h) =>
      this.userBlocks.findOne({ _id: `${userId}:${h}` }, { projection: { size: 1 } }),
    );
    docs.forEach((d, i) => {
      if (d) held.set(hashes[i]!, d.size);
    });
    return held;
  }

  /**
   * Those of `hashes` that were certainly never stored — by this process, or by anyone before it
   * filled its filter of stored blocks — so nobody can hold them and they need no look-up. Only
   * on FerretDB, where each look-up is a round trip of its own; empty until the filter is filled.
   * A block another process stored since is missed (it is reported missing and uploaded again:
   * harmless); a block deleted since stays in the filter (it is looked up: still correct).
   */
  neverStored(hashes: readonly string[]): string[] {
    const f = this.filter;
    return f ? hashes.filter((h) => !f.mayHave(h)) : [];
  }

  /** Fills a new filter of stored blocks in the background, sized for twice what is stored now. */
  private refill(): void {
    if (this.filling || this.closed) return;
    void (async () => {
      const count = await this.blocks.estimatedDocumentCount();
      const f = new HashFilter(Math.max(FILTER_MIN_CAPACITY, 2 * count));
      this.filling = f;
      const started = Date.now();
      for await (const b of this.blocks.find({}, { projection: { _id: 1 } })) {
        if (this.closed) return;
        f.add(b._id);
      }
      this.filter = f;
      this.logger.log({ blocks: f.added, ms: Date.now() - started }, 'filter of stored blocks filled');
    })()
      .catch((err: unknown) => {
        if (!this.closed) this.logger.warn({ err }, 'could not fill the filter of stored blocks; every check looks blocks up');
      })
      .finally(() => {
        this.filling = null;
      });
  }

  /** Notes blocks this process stored (so the filter never says "never stored" of them). */
  private noteStored(hashes: readonly string[]): void {
    for (const h of hashes) {
      this.filter?.add(h);
      if (this.filling !== this.filter) this.filling?.add(h);
    }
    if (this.filter?.full) this.refill();
  }

  async stored(hash: string): Promise<BlockDoc | null> {
    return this.blocks.findOne({ _id: hash });
  }

  async recordStored(hash: string, size: number, at: Date): Promise<void> {
    this.noteStored([hash]);
    await ignoreDuplicate(this.blocks.insertOne({ _id: hash, size, createdAt: at }));
  }

  /** recordStored for many blocks: one unordered insert (blocks stored already stay as they are). */
  async recordStoredMany(blocks: readonly { hash: string; size: number }[], at: Date): Promise<void> {
    this.noteStored(blocks.map((b) => b.hash));
    await insertIgnoringDuplicates(this.blocks, blocks.map((b) => ({ _id: b.hash, size: b.size, createdAt: at })));
  }

  /**
   * recordHeld for many blocks: one unordered insert. A record that exists is left as it is —
   * unless its block is in `refresh` (garbage collection had marked it: its time must move on,
   * as recordHeld moves it). Returns the blocks the user held already.
   */
  async recordHeldMany(userId: string, blocks: readonly { hash: string; size: number }[], at: Date, refresh: ReadonlySet<string>): Promise<Set<string>> {
    const docs = blocks.map((b) => ({ _id: `${userId}:${b.hash}`, userId, hash: b.hash, size: b.size, createdAt: at }));
    const existed = new Set<string>();
    for (const i of await insertIgnoringDuplicates(this.userBlocks, docs)) {
      const { hash, size } = blocks[i]!;
      existed.add(hash);
      if (refresh.has(hash)) await this.recordHeld(userId, hash, size, at);
    }
    return existed;
  }

  /** Records that the user just proved they hold the block (the time is refreshed on every upload). */
  async recordHeld(userId: string, hash: string, size: number, at: Date): Promise<void> {
    const _id = `${userId}:${hash}`;
    const doc = { userId, hash, size, createdAt: at };
    try {
      await this.userBlocks.replaceOne({ _id }, doc, { upsert: true });
    } catch (err) {
      // Two uploads of one block at once both tried to create the record: it exists now.
      if (!isDuplicateKeyError(err)) throw err;
      await this.userBlocks.replaceOne({ _id }, doc);
    }
  }

  // ── garbage collection ──────────────────────────────────────────────────────────────────

  allStored(): AsyncIterable<BlockDoc> {
    return this.blocks.find({});
  }

  allHeld(): AsyncIterable<UserBlockDoc> {
    return this.userBlocks.find({});
  }

  /** Hashes someone uploaded at or after `since` (they may be about to be committed). */
  async heldSince(since: Date): Promise<Set<string>> {
    const docs = await this.userBlocks.find({ createdAt: { $gte: since } }, { projection: { hash: 1 } }).toArray();
    return new Set(docs.map((d) => d.hash));
  }

  /** Which of these hashes garbage collection has marked (the sweep collection is small). */
  async markedForSweep(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0 || (await this.sweeps.estimatedDocumentCount()) === 0) return new Set();
    const docs = await this.sweeps.find({ _id: { $in: [...hashes] } }).toArray();
    return new Set(docs.map((d) => d._id));
  }

  async markSweep(hashes: readonly string[], token: string, at: Date): Promise<void> {
    for (const hash of hashes) {
      await this.sweeps.replaceOne({ _id: hash }, { token, at }, { upsert: true }).catch((err: unknown) => {
        if (!isDuplicateKeyError(err)) throw err;
      });
    }
  }

  /** Takes the mark back (the block is wanted again). */
  async cancelSweep(hash: string): Promise<void> {
    await this.sweeps.deleteOne({ _id: hash });
  }

  /** Removes the mark if it is still this collector's; true means the block may go. */
  async claimSweep(hash: string, token: string): Promise<boolean> {
    return (await this.sweeps.deleteOne({ _id: hash, token })).deletedCount === 1;
  }

  /**
   * Forgets a stored block with its possession records (`records`, their `_id`s: a query on
   * `hash` reads every holding on FerretDB). Possession records first: one never outlives its block.
   */
  async forgetStored(hash: string, records: readonly string[]): Promise<void> {
    await this.forgetHeld(records);
    await this.blocks.deleteOne({ _id: hash });
  }

  async forgetHeld(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) await this.userBlocks.deleteMany({ _id: { $in: ids.slice(i, i + 500) } });
  }

  async storedTotals(): Promise<{ blocks: number; bytes: number }> {
    let blocks = 0;
    let bytes = 0;
    for await (const b of this.blocks.find({}, { projection: { size: 1 } })) {
      blocks++;
      bytes += b.size;
    }
    return { blocks, bytes };
  }
}

async function ignoreDuplicate(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}
