import { revisionRef, type NodeState, type Revision } from '../../../domain/node.js';
import type { TreeView } from '../tree-view.js';
import { deletedTogether } from './deleted-together.js';

export interface PurgePlan {
  changes: NodeState[];
  /** `revisionRef`s of the versions that go. */
  purgedRevisions: string[];
  /** Whether there is more to purge than this plan holds (it reached its limit). */
  more: boolean;
}

/** What one purge entry holds at most, counted in nodes plus versions (see planPurge). */
export const PURGE_ENTRY_LIMIT = 25;

/**
 * What retention ends in one namespace: trash deleted before `trashCutoff` loses its content
 * (the nodes stay as purged tombstones, so a device that comes back much later is still
 * answered by the conflict policy), with what the same delete removed below it; versions
 * replaced before `revisionCutoff` go, unless current or in the trash.
 *
 * At most `limit` nodes and versions (at least one node) go in one plan, so a purge is a run
 * of short entries that other writers of the namespace can come between, not one that holds
 * its lock for seconds; `more` says whether to plan again. A trash root is purged after what
 * was deleted with it: until it is, it stays an expired root, and the next plan finds what is
 * left below it. A restore in between brings back what is not yet purged, as it would after.
 */
export async function planPurge(view: TreeView, trashCutoff: Date, revisionCutoff: Date, limit = Infinity): Promise<PurgePlan> {
  const changes: NodeState[] = [];
  const purgedRevisions = new Set<string>();
  const purgedNodes = new Set<string>();
  const full = () => changes.length + purgedRevisions.size >= limit;

  for (const root of await view.expiredTrashRoots(trashCutoff)) {
    const together = (await deletedTogether(view, root)).filter((n) => !n.purged);
    for (const n of [...together, root]) {
      if (full()) return { changes, purgedRevisions: [...purgedRevisions], more: true };
      // The tombstone stays; the content goes. Not a change a device must act on: rev stays.
      changes.push({ ...n, purged: true, blocks: [], path: await view.pathOf(n) });
      purgedNodes.add(n.id);
      for (const r of await view.revisionsOf(n.id)) purgedRevisions.add(revisionRef(r.nodeId, r.seq));
    }
  }
  // An old version counts from when a newer one replaced it.
  const history = new Map<string, Revision[]>();
  for (const r of await view.revisionsBefore(revisionCutoff)) {
    if (purgedNodes.has(r.nodeId)) continue;
    const node = await view.node(r.nodeId);
    // Current content stays, and so does the history of anything still in the trash.
    if (!node || node.deleted || r.seq === node.contentSeq) continue;
    if (!history.has(r.nodeId)) history.set(r.nodeId, await view.revisionsOf(r.nodeId));
    const newer = history.get(r.nodeId)!.filter((x) => x.seq > r.seq);
    const replacedAt = newer.length > 0 ? Math.min(...newer.map((x) => x.at.getTime())) : Infinity;
    if (replacedAt >= revisionCutoff.getTime()) continue;
    if (full()) return { changes, purgedRevisions: [...purgedRevisions], more: true };
    purgedRevisions.add(revisionRef(r.nodeId, r.seq));
  }
  return { changes, purgedRevisions: [...purgedRevisions], more: false };
}
