import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { mapLimit } from '../../common/async.js';
import { insertIgnoringDuplicates, isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { BLOCK_MODEL, SWEEP_MODEL, USER_BLOCK_MODEL, type BlockDoc, type SweepDoc, type UserBlockDoc } from './schemas/block.schema.js';

const PARALLEL_READS = 32;

@Injectable()
export class BlocksRepository implements OnModuleInit {
  private readonly blocks: Collection<BlockDoc>;
  private readonly userBlocks: Collection<UserBlockDoc>;
  private readonly sweeps: Collection<SweepDoc>;

  constructor(
    @InjectModel(BLOCK_MODEL) private readonly blockModel: Model<BlockDoc>,
    @InjectModel(USER_BLOCK_MODEL) private readonly userBlockModel: Model<UserBlockDoc>,
    @InjectModel(SWEEP_MODEL) private readonly sweepModel: Model<SweepDoc>,
  ) {
    this.blocks = collectionOf(blockModel);
    this.userBlocks = collectionOf(userBlockModel);
    this.sweeps = collectionOf(sweepModel);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.blockModel.init(), this.userBlockModel.init(), this.sweepModel.init()]);
  }

  /** Sizes of the given blocks that this user holds (point reads by `_id`: cheap everywhere). */
  async heldBy(userId: string, hashes: readonly string[]): Promise<Map<string, number>> {
    const docs = await mapLimit(hashes, PARALLEL_READS, (h) =>
      this.userBlocks.findOne({ _id: `${userId}:${h}` }, { projection: { size: 1 } }),
    );
    const held = new Map<string, number>();
    docs.forEach((d, i) => {
      if (d) held.set(hashes[i]!, d.size);
    });
    return held;
  }

  async stored(hash: string): Promise<BlockDoc | null> {
    return this.blocks.findOne({ _id: hash });
  }

  async recordStored(hash: string, size: number, at: Date): Promise<void> {
    await ignoreDuplicate(this.blocks.insertOne({ _id: hash, size, createdAt: at }));
  }

  /** recordStored for many blocks: one unordered insert (blocks stored already stay as they are). */
  async recordStoredMany(blocks: readonly { hash: string; size: number }[], at: Date): Promise<void> {
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

  async forgetStored(hash: string): Promise<void> {
    await this.blocks.deleteOne({ _id: hash });
    await this.userBlocks.deleteMany({ hash });
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
