import { AppError } from '../../common/errors/app-error.js';

export const JournalErrors = {
  /** Delta reads: the client must start over (relist or read the delta from the beginning). */
  cursorReset: () =>
    new AppError(409, 'CURSOR_RESET', 'This cursor is unknown here; list the folder again or read the delta from the start.'),
  /** Writes: a base cursor that is not one of this namespace's positions. */
  baseCursorInvalid: (why: string) => new AppError(400, 'CURSOR_INVALID', `baseCursor is not valid: ${why}.`),
} as const;
