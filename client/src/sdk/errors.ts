import type { ApiErrorBody } from './types.js';

/** The server answered with an error (the JSON shape of docs/errors.md). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly requestId?: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'ApiError';
  }

  static from(status: number, body: unknown): ApiError {
    const b = (body && typeof body === 'object' ? body : {}) as Partial<ApiErrorBody>;
    return new ApiError(status, b.code ?? `HTTP_${status}`, b.message ?? String(body).slice(0, 200), b.details, b.requestId);
  }
}

/** The request did not get an answer: the server is down, the network is gone, or the answer was lost. */
export class NetworkError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'NetworkError';
  }
}

/** The device was signed out (revoked, or its refresh token was reused): log in again. */
export class SessionEndedError extends Error {
  constructor(readonly code: string) {
    super(`the session ended (${code}): log in again`);
    this.name = 'SessionEndedError';
  }
}

/** Worth retrying later: no answer, a server error, throttling, or a busy namespace. */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  if (err instanceof ApiError) return err.status >= 500 || err.status === 429 || err.status === 408;
  return false;
}

/** For a batch item: retry later rather than give up. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401;
}
