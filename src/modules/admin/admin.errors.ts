import { AppError } from '../../common/errors/app-error.js';

export const AdminErrors = {
  userNotFound: () => new AppError(404, 'USER_NOT_FOUND', 'No such user.'),
  notYourself: () =>
    new AppError(400, 'CANNOT_CHANGE_OWN_ACCESS', 'An admin cannot disable or demote their own account (ask another admin).'),
  badCursor: () => new AppError(400, 'INVALID_PAGE_CURSOR', 'The page cursor is not valid; start again without it.'),
} as const;
