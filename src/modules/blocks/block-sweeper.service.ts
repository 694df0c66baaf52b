import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { BLOB_STORE, type BlobStore } from '../../infra/storage/blob-store.js';
import { BlocksRepository } from './blocks.repository.js';

/** What the rest of the server still uses, taken fresh for each pass of a sweep. */
export interface BlockMarks {
  /** Every block a retained revision (current, old or trashed content) uses. */
  hashes: Set<string>;
  /** `<namespace>:<hash>` for the same — a user's possession record is kept while they use it. */
  held: Set<string>;
}

export interface SweepOptions {
  /** Blocks and possession records younger than this are kept (a commit may be on its way). */
  graceCutoff: Date;
  /** Waits between marking and deleting, so a commit or upload in flight can take a block back. */
  fence: () => Promise<void>;
}

export interface SweepReport {
  referencedBlocks: number;
  storedBlocks: number;
  candidates: number;
  sweptBlocks: number;
  freedBytes: number;
  keptAfterRecheck: number;
  possessionRecordsRemoved: number;
  orphanObjectsRemoved: number;
}

/**
 * The blocks' half of garbage collection: mark and sweep, not reference counts. A stored
 * block nothing uses (per `mark`), that nobody uploaded within the grace period, is marked for
 * sweeping; after the fence the marks are taken again, and only blocks still unused, and whose
 * mark no upload cancelled, are deleted. Commits treat marked blocks as missing
 * (`BlocksService.heldSizes`), so the device uploads them again, which cancels the mark.
 */
@Injectable()
export class BlockSweeper {
  constructor(
    private readonly repo: BlocksRepository,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly clock: Clock,
  ) {}

  async sweep(mark: () => Promise<BlockMarks>, { graceCutoff, fence }: SweepOptions): Promise<SweepReport> {
    const marks = await mark();
    const recent = await this.repo.heldSince(graceCutoff);
    const report: SweepReport = {
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
    for await (const b of this.repo.allStored()) {
      report.storedBlocks++;
      known.add(b._id);
      if (!marks.hashes.has(b._id) && b.createdAt < graceCutoff && !recent.has(b._id)) candidates.push({ hash: b._id, size: b.size });
    }
    // Objects in the store without a record: a put that crashed before recording it.
    const orphans: string[] = [];
    for await (const o of this.store.list()) {
      if (!known.has(o.key) && o.lastModified < graceCutoff) orphans.push(o.key);
    }
    report.candidates = candidates.length;

    const token = randomUUID();
    await this.repo.markSweep(
      candidates.map((c) => c.hash),
      token,
      this.clock.now(),
    );
    if (candidates.length + orphans.length > 0) await fence();

    // After the fence: whatever a commit or an upload took since the mark is kept.
    const again = await mark();
    // One pass over the possession records: blocks uploaded within the grace period, each
    // candidate's records (a block is forgotten with them, by _id), and the records of blocks a
    // user no longer uses (and did not just upload). A holding made after this pass comes from
    // an upload, which cancels the block's mark.
    const recentAgain = new Set<string>();
    const recordsOf = new Map<string, string[]>(candidates.map((c) => [c.hash, []]));
    const stale: { id: string; hash: string }[] = [];
    for await (const h of this.repo.allHeld()) {
      recordsOf.get(h.hash)?.push(h._id);
      if (h.createdAt >= graceCutoff) recentAgain.add(h.hash);
      else if (!again.held.has(h._id)) stale.push({ id: h._id, hash: h.hash });
    }
    const swept = new Set<string>();
    for (const c of candidates) {
      if (again.hashes.has(c.hash) || recentAgain.has(c.hash)) {
        await this.repo.cancelSweep(c.hash);
        report.keptAfterRecheck++;
        continue;
      }
      if (!(await this.repo.claimSweep(c.hash, token))) {
        report.keptAfterRecheck++; // an upload cancelled the mark
        continue;
      }
      await this.repo.forgetStored(c.hash, recordsOf.get(c.hash)!);
      swept.add(c.hash);
      await this.store.delete(c.hash);
      report.sweptBlocks++;
      report.freedBytes += c.size;
    }
    for (const key of orphans) {
      if ((await this.repo.stored(key)) === null) {
        await this.store.delete(key);
        report.orphanObjectsRemoved++;
      }
    }

    // Those of swept blocks went with them.
    const rest = stale.filter((h) => !swept.has(h.hash)).map((h) => h.id);
    await this.repo.forgetHeld(rest);
    report.possessionRecordsRemoved = rest.length;
    return report;
  }
}
