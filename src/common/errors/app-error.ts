/**
 * The one error type domain code throws. `code` is stable and documented (docs/errors.md);
 * `status` is the HTTP status the global filter answers with. Domain code never imports HTTP
 * types: the status is plain data here, mapped in one place.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Codes shared by every module; feature modules add their own in `<feature>.errors.ts`. */
export const CommonErrors = {
  validation: (details: Record<string, unknown>) =>
    new AppError(400, 'VALIDATION_FAILED', 'The request is not valid.', details),
  malformedJson: () => new AppError(400, 'MALFORMED_JSON', 'The request body is not valid JSON.'),
  bodyTooLarge: (limitBytes?: number) =>
    new AppError(413, 'BODY_TOO_LARGE', 'The request body is too large.', limitBytes ? { limitBytes } : undefined),
  unsupportedMediaType: (expected: string) =>
    new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Expected a body of type ${expected}.`),
  unsupportedEncoding: () =>
    new AppError(415, 'UNSUPPORTED_CONTENT_ENCODING', 'Request bodies must not be compressed: send them without a Content-Encoding.'),
  bodyTooDeep: (maxDepth: number) =>
    new AppError(400, 'BODY_TOO_DEEP', `The JSON body nests deeper than ${maxDepth} levels.`, { maxDepth }),
  invalidUnicode: () =>
    new AppError(400, 'INVALID_UNICODE', 'The JSON body holds a lone surrogate (\\uD800–\\uDFFF unpaired): send well-formed Unicode text.'),
  routeNotFound: () => new AppError(404, 'ROUTE_NOT_FOUND', 'No such endpoint.'),
  methodNotAllowed: () => new AppError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.'),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(429, 'RATE_LIMITED', 'Too many requests; slow down.', { retryAfterSeconds }),
  unauthenticated: (message = 'Authentication required.') => new AppError(401, 'UNAUTHENTICATED', message),
  forbidden: (message = 'You may not do this.') => new AppError(403, 'FORBIDDEN', message),
  notFound: (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found.`),
  internal: () => new AppError(500, 'INTERNAL', 'Internal server error.'),
  unavailable: (message: string) => new AppError(503, 'UNAVAILABLE', message),
} as const;
