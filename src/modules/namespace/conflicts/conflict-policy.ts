/**
 * The conflict policy of docs/conflicts.md as small pure functions, one per kind of operation.
 * They decide; the planner gathers the facts and carries the decision out. Rule numbers are
 * the rows of the table in docs/conflicts.md ("first match wins").
 */

export const CONFLICT_KINDS = [
  'EDIT_RESTORED',
  'MOVE_RESTORED',
  'PARENT_RESTORED',
  'DELETE_STALE',
  'DELETE_PARTIAL',
  'EDIT_EDIT',
  'MOVE_MOVE',
  'MOVE_CYCLE',
  'NAME_COLLISION',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/** What a device had seen of a node: per attribute, was the last change before its base cursor (or its own)? */
export interface SeenAttributes {
  content: boolean;
  location: boolean;
  deletion: boolean;
}

// ── edit (a new version of an existing file) ──────────────────────────────────────────────

export interface EditFacts {
  /** The incoming content equals the node's current content. */
  sameContent: boolean;
  deleted: boolean;
  seen: SeenAttributes;
}

export type EditDecision =
  | { rule: 1; action: 'noop' }
  /** Edit beats delete: the file (and the chain of deleted folders above it) comes back with the new content. */
  | { rule: 2; action: 'restore-and-edit'; conflict: 'EDIT_RESTORED' | null }
  /** Edit/edit: the server's version keeps the name; the incoming content becomes a conflicted copy beside it. */
  | { rule: 7; action: 'conflicted-copy'; conflict: 'EDIT_EDIT' }
  | { rule: 0; action: 'apply' };

export function decideEdit(f: EditFacts): EditDecision {
  if (f.sameContent) return { rule: 1, action: 'noop' };
  if (f.deleted) return { rule: 2, action: 'restore-and-edit', conflict: f.seen.deletion ? null : 'EDIT_RESTORED' };
  if (!f.seen.content) return { rule: 7, action: 'conflicted-copy', conflict: 'EDIT_EDIT' };
  return { rule: 0, action: 'apply' };
}

// ── move / rename ─────────────────────────────────────────────────────────────────────────

export interface MoveFacts {
  /** The node is already where the device put it (same parent, same name). */
  sameLocation: boolean;
  deleted: boolean;
  /** Deleted by its own delete (a trash root), not as part of a deleted folder above it. */
  deletedItself: boolean;
  seen: SeenAttributes;
  /** The target folder is the node or inside it. */
  cycle: boolean;
  /** The cycle exists only because of location changes the device had not seen. */
  cycleFromUnseenMoves: boolean;
}

export type MoveDecision =
  | { rule: 1; action: 'noop' }
  /** Rename beats delete: the node and what the same delete removed come back, then the move applies. */
  | { rule: 3; action: 'restore-and-move'; conflict: 'MOVE_RESTORED' | null }
  /** Inside a deleted folder: the chain above is recreated holding only this node (where the move needs it). */
  | { rule: 4; action: 'restore-chain-and-move'; conflict: 'PARENT_RESTORED' }
  /** Move/move: the server's current location stays. */
  | { rule: 8; action: 'skip'; conflict: 'MOVE_MOVE' }
  /** The move would make a cycle: skipped, the node stays. */
  | { rule: 9; action: 'skip'; conflict: 'MOVE_CYCLE' }
  /**
   * A deleted node whose move would make a cycle (through moves the device had not seen): it
   * comes back where it was (rules 3 and 4), the move is skipped (rule 9).
   */
  | { rule: 9; action: 'restore-in-place'; conflict: 'MOVE_CYCLE' }
  /** A cycle the device could see for itself: the request is wrong, not the timing. */
  | { rule: 9; action: 'refuse' }
  | { rule: 0; action: 'apply' };

export function decideMove(f: MoveFacts): MoveDecision {
  if (f.sameLocation) return { rule: 1, action: 'noop' };
  // Bringing a node back never makes a cycle either: rules 3 and 4 apply without their move.
  if (f.deleted && f.cycle) {
    return f.cycleFromUnseenMoves ? { rule: 9, action: 'restore-in-place', conflict: 'MOVE_CYCLE' } : { rule: 9, action: 'refuse' };
  }
  if (f.deleted && f.deletedItself) return { rule: 3, action: 'restore-and-move', conflict: f.seen.deletion ? null : 'MOVE_RESTORED' };
  if (f.deleted) return { rule: 4, action: 'restore-chain-and-move', conflict: 'PARENT_RESTORED' };
  if (!f.seen.location) return { rule: 8, action: 'skip', conflict: 'MOVE_MOVE' };
  if (f.cycle) return f.cycleFromUnseenMoves ? { rule: 9, action: 'skip', conflict: 'MOVE_CYCLE' } : { rule: 9, action: 'refuse' };
  return { rule: 0, action: 'apply' };
}

// ── delete ────────────────────────────────────────────────────────────────────────────────

export interface DeleteFacts {
  deleted: boolean;
  seen: SeenAttributes;
  /** For a folder: some descendant was changed, created or moved in after the base cursor. */
  descendantsChangedUnseen: boolean;
}

export type DeleteDecision =
  | { rule: 11; action: 'noop' }
  /** The delete loses: nothing is deleted; the node is re-sent so the device shows it again. */
  | { rule: 5; action: 'keep'; conflict: 'DELETE_STALE' }
  /** Delete only what the device had seen; keep changed nodes and the chain above them. */
  | { rule: 6; action: 'delete-seen-only'; conflict: 'DELETE_PARTIAL' }
  | { rule: 0; action: 'apply' };

export function decideDelete(f: DeleteFacts): DeleteDecision {
  if (f.deleted) return { rule: 11, action: 'noop' };
  if (!f.seen.content || !f.seen.location) return { rule: 5, action: 'keep', conflict: 'DELETE_STALE' };
  if (f.descendantsChangedUnseen) return { rule: 6, action: 'delete-seen-only', conflict: 'DELETE_PARTIAL' };
  return { rule: 0, action: 'apply' };
}

/**
 * Rule 6 on a subtree: which descendants to delete and which to keep. A node is kept if it
 * changed unseen, or if a kept node lies below it (the chain above a kept node stays).
 */
export function partialDelete(
  rootId: string,
  descendants: readonly { id: string; parentId: string; changedUnseen: boolean }[],
): { deleteIds: Set<string>; keepIds: Set<string> } {
  const parentOf = new Map(descendants.map((d) => [d.id, d.parentId]));
  const keep = new Set<string>();
  for (const d of descendants) {
    if (!d.changedUnseen) continue;
    for (let id: string | undefined = d.id; id !== undefined && id !== rootId && !keep.has(id); id = parentOf.get(id)) keep.add(id);
  }
  if (keep.size > 0) keep.add(rootId);
  const deleteIds = new Set(descendants.map((d) => d.id).filter((id) => !keep.has(id)));
  return { deleteIds, keepIds: keep };
}

// ── names (rule 10) ───────────────────────────────────────────────────────────────────────

/**
 * The first free name among `name`, then its conflicted copies 1, 2, …: the incoming node
 * gets a new name when another live node in that folder holds its name (NFC, case-insensitive).
 */
export async function freeName(
  name: string,
  isTaken: (candidate: string) => Promise<boolean>,
  copyName: (n: number) => string,
): Promise<{ name: string; renamed: boolean }> {
  if (!(await isTaken(name))) return { name, renamed: false };
  for (let n = 1; n < 10_000; n++) {
    const candidate = copyName(n);
    if (!(await isTaken(candidate))) return { name: candidate, renamed: true };
  }
  throw new Error(`no free conflicted-copy name for ${name}`);
}
