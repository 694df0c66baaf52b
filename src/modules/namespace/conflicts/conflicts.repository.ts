import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../../infra/database/collections.js';
import { isDuplicateKeyError } from '../../../infra/database/mongo-errors.js';
import { CONFLICT_MODEL, type ConflictDoc } from './schemas/conflict.schema.js';

import type { ConflictRecord } from './conflict-records.js';


const toRecord = ({ _id, ...rest }: ConflictDoc): ConflictRecord => ({ id: _id, ...rest });

@Injectable()
export class ConflictsRepository implements OnModuleInit {
  private readonly docs: Collection<ConflictDoc>;

  constructor(@InjectModel(CONFLICT_MODEL) private readonly model: Model<ConflictDoc>) {
    this.docs = collectionOf(model);
  }

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  /** Inserts records of a journal entry; those already there are left alone (idempotent). */
  async record(records: ConflictRecord[]): Promise<void> {
    for (const { id, ...rest } of records) {
      try {
        await this.docs.insertOne({ _id: id, ...rest });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
  }

  async resolve(id: string, resolution: string, seq: number, at: Date): Promise<void> {
    await this.docs.updateOne({ _id: id, resolvedAt: null }, { $set: { resolvedAt: at, resolution, resolvedSeq: seq } });
  }

  async find(id: string): Promise<ConflictRecord | null> {
    const d = await this.docs.findOne({ _id: id });
    return d ? toRecord(d) : null;
  }

  /** Newest first (by seq, then id), optionally only unresolved, after the record `after`. */
  async list(
    filter: { ns?: string; userId?: string; unresolved?: boolean },
    after: { seq: number; id: string } | null,
    limit: number,
  ): Promise<ConflictRecord[]> {
    const q: Record<string, unknown> = {};
    if (filter.ns) q.ns = filter.ns;
    if (filter.userId) q.userId = filter.userId;
    if (filter.unresolved) q.resolvedAt = null;
    if (after) q.$or = [{ seq: { $lt: after.seq } }, { seq: after.seq, _id: { $gt: after.id } }];
    const docs = await this.docs.find(q).sort({ seq: -1, _id: 1 }).limit(limit).toArray();
    return docs.map(toRecord);
  }
}
