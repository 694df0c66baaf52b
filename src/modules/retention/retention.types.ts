import type { SweepReport } from '../blocks/block-sweeper.service.js';

export interface PurgeReport {
  namespaces: number;
  purgedNodes: number;
  purgedRevisions: number;
}

/** What a garbage collection did: the blocks' sweep report. */
export type GcReport = SweepReport;
