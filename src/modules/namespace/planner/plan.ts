import type { NodeState, OpKind } from '../../../domain/node.js';
import type { PlannedConflict } from '../../journal/journal.types.js';

/** What an operation comes to: nothing to do, or the node states one journal entry records. */
export type Plan =
  | { kind: 'noop'; node: NodeState }
  | {
      kind: 'write';
      opKind: OpKind;
      /** changes[0] is the node the operation was about. */
      changes: NodeState[];
      usageDelta: number;
      conflicts: PlannedConflict[];
      resolved?: { conflictId: string; resolution: string }[];
    };

/** The part of a conflict record a resolution needs. */
export interface ResolvableConflict {
  id: string;
  kind: string;
  nodeIds: string[];
}

/** What the planner needs from outside the tree. */
export interface PlannerPorts {
  /** Which of these blocks the user holds, with their sizes. */
  heldSizes(userId: string, hashes: readonly string[]): Promise<Map<string, number>>;
  /** A device's name, for conflicted-copy names. */
  deviceName(deviceId: string): Promise<string>;
}
