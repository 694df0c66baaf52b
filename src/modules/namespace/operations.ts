/** The write operations a device sends, validated into domain commands. */
export type Operation =
  | { type: 'createFolder'; id?: string; parentId?: string; name?: string; path?: string; autorename?: boolean }
  | {
      type: 'commit';
      id?: string;
      parentId?: string;
      name?: string;
      path?: string;
      blocks: string[];
      size: number;
      mtime?: Date | null;
      autorename?: boolean;
    }
  | { type: 'move'; id: string; parentId?: string; name?: string; autorename?: boolean }
  /** `removedIds`: every node the device removed locally with this delete (its view of the subtree). */
  | { type: 'delete'; id: string; removedIds?: string[] }
  | { type: 'restore'; id: string; parentId?: string; name?: string; autorename?: boolean }
  | { type: 'restoreRevision'; id: string; revision: number }
  | { type: 'resolveConflict'; conflictId: string; resolution: ConflictResolution };

export const CONFLICT_RESOLUTIONS = ['keepMine', 'keepTheirs', 'keepBoth', 'acknowledge'] as const;
export type ConflictResolution = (typeof CONFLICT_RESOLUTIONS)[number];

/** Who writes, and what they had seen. */
export interface WriteContext {
  ns: string;
  userId: string;
  deviceId: string;
  /** Every journal entry up to this seq had been applied on the device when it made the operation. */
  baseSeq: number;
  /** Client-made id of the operation, for retries. */
  opId?: string | undefined;
}
