import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { mapLimit } from '../../common/async.js';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { BLOCK_MODEL, USER_BLOCK_MODEL, type BlockDoc, type UserBlockDoc } from './schemas/block.schema.js';

const PARALLEL_READS = 32;

@Injectable()
export class BlocksRepository implements OnModuleInit {
  private readonly blocks: Collection<BlockDoc>;
  private readonly userBlocks: Collection<UserBlockDoc>;

  constructor(
    @InjectModel(BLOCK_MODEL) private readonly blockModel: Model<BlockDoc>,
    @InjectModel(USER_BLOCK_MODEL) private readonly userBlockModel: Model<UserBlockDoc>,
  ) {
    this.blocks = collectionOf(blockModel);
    this.userBlocks = collectionOf(userBlockModel);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.blockModel.init(), this.userBlockModel.init()]);
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

  async recordHeld(userId: string, hash: string, size: number, at: Date): Promise<void> {
    await ignoreDuplicate(this.userBlocks.insertOne({ _id: `${userId}:${hash}`, userId, hash, size, createdAt: at }));
  }
}

async function ignoreDuplicate(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}
