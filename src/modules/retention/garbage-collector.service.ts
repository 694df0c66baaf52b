import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Clock } from '../../common/clock.js';
import { BlocksRepository } from '../blocks/blocks.repository.js';
import { BlocksService } from '../blocks/blocks.service.js';
import { TreeRepository } from '../namespace/tree.repository.js';
import type { GcReport } from './retention.types.js';

interface Marks {
  /** Every block a retained revision (current, old or trashed content) uses. */
  hashes: Set<string>;
  /** `<namespace>:<hash>` for the same — a user's possession record is kept while they use it. */
  held: Set<string>;
}

/**
 * Mark and sweep, not reference counts. Mark: every block a retained revision uses. Sweep: a
 * stored block nothing uses, that nobody uploaded within GC_GRACE_HOURS (a block uploaded for
 * a commit that has not happened yet), is marked for sweeping; after GC_FENCE_SECONDS the
 * marks are taken again, and only blocks still unused, and whose mark no upload cancelled,
 * are deleted. Commits treat marked blocks as missing, so the device re-uploads them.
 */
@Injectable()
export class GarbageCollector {
  private readonly logger = new Logger(GarbageCollector.name);

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly tree: TreeRepository,
    private readonly blocks: BlocksRepository,
    private readonly store: BlocksService,
  ) {}

  async collect(): Promise<GcReport> {
    const graceCutoff = new Date(this.clock.now().getTime() - this.config.retention.gcGraceHours * 3_600_000);
    const marks = await this.mark();
    const recent = await this.blocks.heldSince(graceCutoff);
    const report: GcReport = {
      referencedBlocks: marks.hashes.size,
      storedBlocks: 0,
      candidates: 0,
      sweptBlocks: 0,
      freedBytes: 0,
      keptAfterRecheck: 0,
      possessionRecordsRemoved: 0,
      orphanObjectsRemoved: 0,
    };

    const known = new Set<string>();
    const candidates: { hash: string; size: number }[] = [];
    for await (const b of this.blocks.allStored()) {
      report.storedBlocks++;
      known.add(b._id);
      if (!marks.hashes.has(b._id) && b.createdAt < graceCutoff && !recent.has(b._id)) candidates.push({ hash: b._id, size: b.size });
    }
    // Objects in the store without a record: a put that crashed before recording it.
    const orphans: string[] = [];
    for await (const o of this.store.listStored()) {
      if (!known.has(o.key) && o.lastModified < graceCutoff) orphans.push(o.key);
    }
    report.candidates = candidates.length;

    const token = randomUUID();
    await this.blocks.markSweep(
      candidates.map((c) => c.hash),
      token,
      this.clock.now(),
    );
    if (candidates.length + orphans.length > 0) await sleep(this.config.retention.gcFenceSeconds * 1000);

    // After the fence: whatever a commit or an upload took since the mark is kept.
    const again = await this.mark();
    const recentAgain = await this.blocks.heldSince(graceCutoff);
    for (const c of candidates) {
      if (again.hashes.has(c.hash) || recentAgain.has(c.hash)) {
        await this.blocks.cancelSweep(c.hash);
        report.keptAfterRecheck++;
        continue;
      }
      if (!(await this.blocks.claimSweep(c.hash, token))) {
        report.keptAfterRecheck++; // an upload cancelled the mark
        continue;
      }
      await this.blocks.forgetStored(c.hash);
      await this.store.deleteStored(c.hash);
      report.sweptBlocks++;
      report.freedBytes += c.size;
    }
    for (const key of orphans) {
      if ((await this.blocks.stored(key)) === null) {
        await this.store.deleteStored(key);
        report.orphanObjectsRemoved++;
      }
    }

    // Possession records of blocks a user no longer uses (and did not just upload).
    const stale: string[] = [];
    for await (const h of this.blocks.allHeld()) {
      if (!again.held.has(h._id) && h.createdAt < graceCutoff) stale.push(h._id);
    }
    await this.blocks.forgetHeld(stale);
    report.possessionRecordsRemoved = stale.length;

    if (report.sweptBlocks + report.orphanObjectsRemoved + stale.length > 0) this.logger.log({ ...report }, 'garbage collected');
    return report;
  }

  private async mark(): Promise<Marks> {
    const marks: Marks = { hashes: new Set(), held: new Set() };
    for await (const r of this.tree.referencedBlocks()) {
      for (const b of r.blocks) {
        marks.hashes.add(b);
        marks.held.add(`${r.ns}:${b}`);
      }
    }
    return marks;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
