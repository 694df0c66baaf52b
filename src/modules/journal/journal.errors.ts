import { AppError } from '../../common/errors/app-error.js';

export const JournalErrors = {
  /** Delta reads: the client must start over (relist or read the delta from the beginning). */
  cursorReset: () =>
    new AppError(409, 'CURSOR_RESET', 'This cursor is unknown here; list the folder again or read the delta from the start.'),
  /** Delta reads: so far behind that one listing of the tree is less to send than the changes. */
  farBehind: (behind: number, relistAfter: number) =>
    new AppError(
      409,
      'CURSOR_RESET',
      `This cursor is ${behind} journal entries behind (more than ${relistAfter}): list the tree again ` +
        '(GET /v1/files/list?recursive=true) and go on from GET /v1/delta/latest, taken before the listing.',
      { behind, relistAfter },
    ),
  /** Writes: a base cursor that is not one of this namespace's positions. */
  baseCursorInvalid: (why: string) => new AppError(400, 'CURSOR_INVALID', `baseCursor is not valid: ${why}.`),
} as const;
