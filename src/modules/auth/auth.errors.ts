import { AppError } from '../../common/errors/app-error.js';

export const AuthErrors = {
  emailTaken: () => new AppError(409, 'EMAIL_TAKEN', 'An account with this email already exists.'),
  weakPassword: (message: string) => new AppError(400, 'WEAK_PASSWORD', message),
  invalidCredentials: () => new AppError(401, 'INVALID_CREDENTIALS', 'Wrong email or password.'),
  registrationClosed: () => new AppError(403, 'REGISTRATION_CLOSED', 'This server does not accept new accounts.'),
  accountDisabled: () => new AppError(403, 'ACCOUNT_DISABLED', 'This account is disabled.'),
  tokenMissing: () => new AppError(401, 'TOKEN_MISSING', 'A bearer access token is required.'),
  tokenInvalid: () => new AppError(401, 'TOKEN_INVALID', 'The access token is not valid.'),
  tokenExpired: () => new AppError(401, 'TOKEN_EXPIRED', 'The access token has expired; refresh it.'),
  deviceRevoked: () => new AppError(401, 'DEVICE_REVOKED', 'This device was signed out; log in again.'),
  refreshTokenInvalid: () => new AppError(401, 'REFRESH_TOKEN_INVALID', 'The refresh token is not valid.'),
  refreshTokenExpired: () => new AppError(401, 'REFRESH_TOKEN_EXPIRED', 'The refresh token has expired; log in again.'),
  refreshTokenReused: () =>
    new AppError(
      401,
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used; the device was signed out to protect the account.',
    ),
  deviceLimit: (limit: number) =>
    new AppError(
      409,
      'DEVICE_LIMIT',
      `This account already has ${limit} signed-in devices, the most this server allows; sign one out (DELETE /v1/devices/{id}) and try again.`,
    ),
  deviceNotFound: () => new AppError(404, 'DEVICE_NOT_FOUND', 'Device not found or not yours.'),
  adminOnly: () => new AppError(403, 'ADMIN_ONLY', 'This needs the admin role.'),
} as const;
