import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { PURGE_ENTRY_LIMIT, planPurge } from './planner/purge.js';
import { SyncWriter } from './sync-writer.service.js';
import { TreeRepository } from './tree.repository.js';

const DAY_MS = 86_400_000;

function cutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

export interface PurgeReport {
  namespaces: number;
  purgedNodes: number;
  purgedRevisions: number;
}

/**
 * Ends what retention allows (TRASH_RETENTION_DAYS, REVISION_RETENTION_DAYS), namespace by
 * namespace; what goes is planned by planner/purge.ts. A namespace's purge is a run of journal
 * entries of at most PURGE_ENTRY_LIMIT nodes and versions each, so the tree stays the fold of
 * the journal and the namespace's own writes wait behind one short entry, never the whole purge;
 * after each entry it pauses as long as the entry took (foreground p99 1.44× idle while it runs,
 * docs/benchmarks.md).
 */
@Injectable()
export class PurgeService {
  private readonly logger = new Logger(PurgeService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly tree: TreeRepository,
    private readonly writer: SyncWriter,
  ) {}

  async purgeAll(): Promise<PurgeReport> {
    const report: PurgeReport = { namespaces: 0, purgedNodes: 0, purgedRevisions: 0 };
    for await (const ns of this.tree.allNamespaceIds()) {
      let touched = false;
      for (let more = true; more; ) {
        let nodes = 0;
        let revisions = 0;
        more = false;
        const started = performance.now();
        const seq = await this.writer.systemWrite(ns.id, ns.ownerId, 'retention.purge', async (view, _seq, now) => {
          const plan = await planPurge(view, cutoff(now, this.config.retention.trashDays), cutoff(now, this.config.retention.revisionDays), PURGE_ENTRY_LIMIT);
          nodes = plan.changes.length;
          revisions = plan.purgedRevisions.length;
          more = plan.more;
          return nodes + revisions > 0 ? plan : null;
        });
        if (seq === null) break;
        // Background work leaves the machine to the foreground at least half the time.
        await new Promise((r) => setTimeout(r, performance.now() - started));
        touched = true;
        report.purgedNodes += nodes;
        report.purgedRevisions += revisions;
      }
      if (touched) report.namespaces++;
    }
    if (report.namespaces > 0) this.logger.log({ ...report }, 'purged what is past retention');
    return report;
  }
}
