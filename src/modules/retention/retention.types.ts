export interface PurgeReport {
  namespaces: number;
  purgedNodes: number;
  purgedRevisions: number;
}

export interface GcReport {
  referencedBlocks: number;
  storedBlocks: number;
  candidates: number;
  sweptBlocks: number;
  freedBytes: number;
  keptAfterRecheck: number;
  possessionRecordsRemoved: number;
  orphanObjectsRemoved: number;
}
