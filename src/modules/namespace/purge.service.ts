import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Clock } from '../../common/clock.js';
import type { NodeState } from '../../domain/node.js';
import { SyncWriter } from './sync-writer.service.js';
import { TreeRepository } from './tree.repository.js';
import type { TreeView } from './tree-view.js';
import { revisionRef, type Revision } from '../../domain/node.js';

const DAY_MS = 86_400_000;

export interface PurgeReport {
  namespaces: number;
  purgedNodes: number;
  purgedRevisions: number;
}

/**
 * Ends what retention allows: trash older than TRASH_RETENTION_DAYS loses its content (the
 * nodes stay as purged tombstones, so a device that comes back much later is still answered
 * by the conflict policy), and old versions older than REVISION_RETENTION_DAYS go. Each
 * namespace's purge is one journal entry, so the tree stays the fold of the journal.
 */
@Injectable()
export class PurgeService {
  private readonly logger = new Logger(PurgeService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly tree: TreeRepository,
    private readonly writer: SyncWriter,
  ) {}

  async purgeAll(): Promise<PurgeReport> {
    const report: PurgeReport = { namespaces: 0, purgedNodes: 0, purgedRevisions: 0 };
    for await (const ns of this.tree.allNamespaceIds()) {
      let nodes = 0;
      let revisions = 0;
      const seq = await this.writer.systemWrite(ns.id, ns.ownerId, 'retention.purge', async (view, _seq, now) => {
        const plan = await this.plan(view, now);
        nodes = plan.changes.length;
        revisions = plan.purgedRevisions.length;
        return nodes + revisions > 0 ? plan : null;
      });
      if (seq === null) continue;
      report.namespaces++;
      report.purgedNodes += nodes;
      report.purgedRevisions += revisions;
    }
    if (report.namespaces > 0) this.logger.log({ ...report }, 'purged what is past retention');
    return report;
  }

  private async plan(view: TreeView, now: Date): Promise<{ changes: NodeState[]; purgedRevisions: string[] }> {
    const trashCutoff = new Date(now.getTime() - this.config.retention.trashDays * DAY_MS);
    const revisionCutoff = new Date(now.getTime() - this.config.retention.revisionDays * DAY_MS);
    const changes: NodeState[] = [];
    const purgedRevisions = new Set<string>();
    const purgedNodes = new Set<string>();

    for (const root of await this.tree.expiredTrashRoots(view.ns, trashCutoff)) {
      const removedTogether = root.kind === 'folder' ? await view.descendants(root, (n) => n.deleted && n.deletedSeq === root.deletedSeq && !n.purged) : [];
      for (const n of [root, ...removedTogether]) {
        // The tombstone stays; the content goes. Not a change a device must act on: rev stays.
        changes.push({ ...n, purged: true, blocks: [], path: await view.pathOf(n) });
        purgedNodes.add(n.id);
        for (const r of await this.tree.revisionsOf(view.ns, n.id)) purgedRevisions.add(revisionRef(r.nodeId, r.seq));
      }
    }
    // An old version counts from when a newer one replaced it.
    const history = new Map<string, Revision[]>();
    for (const r of await this.tree.revisionsBefore(view.ns, revisionCutoff)) {
      if (purgedNodes.has(r.nodeId)) continue;
      const node = await view.node(r.nodeId);
      // Current content stays, and so does the history of anything still in the trash.
      if (!node || node.deleted || r.seq === node.contentSeq) continue;
      if (!history.has(r.nodeId)) history.set(r.nodeId, await this.tree.revisionsOf(view.ns, r.nodeId));
      const newer = history.get(r.nodeId)!.filter((x) => x.seq > r.seq);
      const replacedAt = newer.length > 0 ? Math.min(...newer.map((x) => x.at.getTime())) : Infinity;
      if (replacedAt < revisionCutoff.getTime()) purgedRevisions.add(revisionRef(r.nodeId, r.seq));
    }
    return { changes, purgedRevisions: [...purgedRevisions] };
  }
}
