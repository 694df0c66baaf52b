import type { SweepReport } from '../blocks/block-sweeper.service.js';

export type { PurgeReport } from '../namespace/purge.service.js';

/** What a garbage collection did: the blocks' sweep report. */
export type GcReport = SweepReport;
