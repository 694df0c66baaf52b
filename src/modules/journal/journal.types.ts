import type { NodeState, OpKind } from '../../domain/node.js';

export interface JournalEntry {
  ns: string;
  seq: number;
  at: Date;
  userId: string;
  deviceId: string | null;
  kind: OpKind;
  /** `${deviceId}:${opId}` for operations a device may retry. */
  opKey: string | null;
  /** Hash of the operation's payload, to tell a retry from a reused operation id. */
  opHash: string | null;
  /** Every node this entry changed; changes[0] is the node the operation acted on. */
  changes: NodeState[];
  /** Bytes of live file content in the namespace after this entry (for quotas). */
  usage: number;
  /** Conflicts this entry settled (each becomes a conflict record). */
  conflicts?: PlannedConflict[];
  /** Conflict records this entry resolved. */
  resolved?: { conflictId: string; resolution: string }[];
  /** Revisions (`<nodeId>:<seq>`) this entry purged (retention). */
  purgedRevisions?: string[];
}

export interface PlannedConflict {
  kind: string;
  /** The node the device's operation was about first, then the others involved. */
  nodeIds: string[];
}

export interface JournalAppended {
  ns: string;
  seq: number;
  userId: string;
  deviceId: string | null;
}
