/** The write operations a device sends, validated into domain commands. */
export type Operation =
  | { type: 'createFolder'; id?: string; parentId?: string; name?: string; path?: string }
  | {
      type: 'commit';
      id?: string;
      parentId?: string;
      name?: string;
      path?: string;
      blocks: string[];
      size: number;
      mtime?: Date | null;
    }
  | { type: 'move'; id: string; parentId?: string; name?: string }
  | { type: 'delete'; id: string }
  | { type: 'restore'; id: string; parentId?: string; name?: string }
  | { type: 'restoreRevision'; id: string; revision: number };

export type OperationType = Operation['type'];

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
