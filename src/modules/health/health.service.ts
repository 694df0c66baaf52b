import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DatabaseTarget } from '../../infra/database/database.module.js';
import { APP_VERSION } from '../../infra/process/version.js';
import { BLOB_STORE, type BlobStore } from '../../infra/storage/blob-store.js';
import type { DependencyHealth, HealthReport } from './health.dto.js';

const PROBE_TIMEOUT_MS = 3000;

@Injectable()
export class HealthService {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly target: DatabaseTarget,
  ) {}

  async check(): Promise<HealthReport> {
    const [database, blobStore] = await Promise.all([
      probe(async () => {
        await this.connection.db!.admin().ping();
      }),
      probe(() => this.blobs.ping()),
    ]);
    return {
      status: database.ok && blobStore.ok ? 'ok' : 'degraded',
      version: APP_VERSION,
      database: { ...database, flavor: this.target.flavor },
      blobStore: { ...blobStore, kind: this.blobs.kind },
    };
  }
}

async function probe(fn: () => Promise<void>): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
