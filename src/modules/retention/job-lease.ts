import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { collectionOf } from '../../infra/database/collections.js';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { JOB_LEASE_MODEL, type JobLeaseDoc } from './schemas/job-lease.schema.js';

/**
 * One runner per job across processes: a lease is an insert under the job's name (unique
 * `_id`), so two processes cannot both take it; an expired lease is removed and taken again.
 * The jobs are idempotent anyway — the lease only saves doing the work twice.
 */
@Injectable()
export class JobLeases {
  private readonly leases: Collection<JobLeaseDoc>;
  private readonly me = randomUUID();

  constructor(@InjectModel(JOB_LEASE_MODEL) model: Model<JobLeaseDoc>) {
    this.leases = collectionOf(model);
  }

  /** Runs `fn` holding the lease; null if another process holds it. Uses the wall clock (leases are about real time). */
  async run<T>(job: string, maxMs: number, fn: () => Promise<T>): Promise<T | null> {
    if (!(await this.take(job, maxMs))) return null;
    try {
      return await fn();
    } finally {
      await this.leases.deleteOne({ _id: job, holder: this.me });
    }
  }

  private async take(job: string, maxMs: number): Promise<boolean> {
    for (let i = 0; i < 2; i++) {
      try {
        await this.leases.insertOne({ _id: job, holder: this.me, until: new Date(Date.now() + maxMs) });
        return true;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      // Taken: clear it only if it has expired (a holder that crashed), then try once more.
      await this.leases.deleteOne({ _id: job, until: { $lt: new Date() } });
    }
    return false;
  }
}
