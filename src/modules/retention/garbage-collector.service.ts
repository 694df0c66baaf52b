import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Clock } from '../../common/clock.js';
import { BlockSweeper, type BlockMarks } from '../blocks/block-sweeper.service.js';
import { NamespaceCatalog } from '../namespace/namespace-catalog.service.js';
import type { GcReport } from './retention.types.js';

/**
 * Garbage collection of blocks: the namespaces say which blocks their retained revisions use
 * (the marks), the blocks module sweeps the rest (docs/retention.md). This service only wires
 * the two together with the configured grace period and fence.
 */
@Injectable()
export class GarbageCollector {
  private readonly logger = new Logger(GarbageCollector.name);

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly catalog: NamespaceCatalog,
    private readonly sweeper: BlockSweeper,
  ) {}

  async collect(): Promise<GcReport> {
    const graceCutoff = new Date(this.clock.now().getTime() - this.config.retention.gcGraceHours * 3_600_000);
    const report = await this.sweeper.sweep(() => this.mark(), {
      graceCutoff,
      fence: () => sleep(this.config.retention.gcFenceSeconds * 1000),
    });
    if (report.sweptBlocks + report.orphanObjectsRemoved + report.possessionRecordsRemoved > 0) this.logger.log({ ...report }, 'garbage collected');
    return report;
  }

  private async mark(): Promise<BlockMarks> {
    const marks: BlockMarks = { hashes: new Set(), held: new Set() };
    for await (const r of this.catalog.referencedBlocks()) {
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
