import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { REFRESH_TOKEN_MODEL, type RefreshTokenDoc } from './schemas/refresh-token.schema.js';

export interface RefreshTokenRecord {
  id: string;
  userId: string;
  deviceId: string;
  secretHash: string;
  createdAt: Date;
  expiresAt: Date;
}

@Injectable()
export class RefreshTokensRepository implements OnModuleInit {
  constructor(@InjectModel(REFRESH_TOKEN_MODEL) private readonly model: Model<RefreshTokenDoc>) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /** Inserts the token; false if its id is taken (for a successor: the parent was already rotated). */
  async tryInsert(t: RefreshTokenRecord): Promise<boolean> {
    try {
      await this.model.create({ ...t, _id: t.id });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async findById(id: string): Promise<RefreshTokenRecord | null> {
    const d = await this.model.findById(id).lean<RefreshTokenDoc>().exec();
    return d ? { id: d._id, userId: d.userId, deviceId: d.deviceId, secretHash: d.secretHash, createdAt: d.createdAt, expiresAt: d.expiresAt } : null;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.model.exists({ _id: id }).exec()) !== null;
  }

  async deleteExpired(now: Date): Promise<number> {
    return (await this.model.deleteMany({ expiresAt: { $lt: now } }).exec()).deletedCount;
  }
}
