import { AppError } from '../../../common/errors/app-error.js';

export const ConflictsErrors = {
  notFound: () => new AppError(404, 'CONFLICT_NOT_FOUND', 'No such conflict among yours.'),
  alreadyResolved: () => new AppError(409, 'CONFLICT_ALREADY_RESOLVED', 'This conflict was resolved already.'),
  badCursor: () => new AppError(400, 'INVALID_PAGE_CURSOR', 'The page cursor is not valid; start again without it.'),
  resolutionNotApplicable: (kind: string, allowed: readonly string[]) =>
    new AppError(400, 'RESOLUTION_NOT_APPLICABLE', `A ${kind} conflict can be resolved with: ${allowed.join(', ')}.`, { allowed }),
} as const;
