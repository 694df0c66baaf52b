import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { GarbageCollector } from './garbage-collector.service.js';
import { JobLeases } from './job-lease.js';
import { PurgeService } from '../namespace/purge.service.js';
import type { GcReport, PurgeReport } from './retention.types.js';

const LEASE_MS = 6 * 3_600_000;

/** Runs purge, then garbage collection, every RETENTION_INTERVAL_MINUTES and on an admin request. */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly purge: PurgeService,
    private readonly gc: GarbageCollector,
    private readonly leases: JobLeases,
  ) {}

  onApplicationBootstrap(): void {
    const minutes = this.config.retention.intervalMinutes;
    if (minutes === 0) return;
    this.timer = setInterval(() => {
      void this.runAll().catch((err: unknown) => this.logger.error({ err }, 'scheduled retention failed'));
    }, minutes * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Null when another process is running the job right now. */
  runPurge(): Promise<PurgeReport | null> {
    return this.leases.run('retention.purge', LEASE_MS, () => this.purge.purgeAll());
  }

  runGc(): Promise<GcReport | null> {
    return this.leases.run('retention.gc', LEASE_MS, () => this.gc.collect());
  }

  async runAll(): Promise<void> {
    await this.runPurge();
    await this.runGc();
  }
}
