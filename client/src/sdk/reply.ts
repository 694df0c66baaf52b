import { ApiError, NetworkError, SessionEndedError } from './errors.js';
import type { ApiErrorBody } from './types.js';

/** Error codes that mean the device is signed out: log in again. */
export const SESSION_ENDED = new Set(['DEVICE_REVOKED', 'REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_EXPIRED', 'ACCOUNT_DISABLED']);

/**
 * One answer of the server, read in full: the status and headers, and the JSON as `body` (the
 * operation's success type) or `error` (the error shape of docs/errors.md). Reading the side the
 * answer is not throws — `body` throws the ApiError (SessionEndedError when the device is signed
 * out), so `(await client.call(…)).body` is "the result or the error".
 */
export class ApiReply<T> {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    /** The answer as parsed JSON (text when it was not JSON, null when empty). */
    readonly raw: unknown,
  ) {}

  /** Reads a response's body. */
  static async read<T>(res: Response): Promise<ApiReply<T>> {
    return new ApiReply<T>(res.status, res.headers, await readJson(res));
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** What a successful request answered; throws what the server said otherwise. */
  get body(): T {
    if (!this.ok) throw this.failure();
    // The JSON boundary: the server's answer is trusted to be what docs/openapi.json says.
    return this.raw as T;
  }

  /** What a failed request answered; throws when it succeeded. */
  get error(): ApiErrorBody {
    if (this.ok) throw new Error(`expected an error, got ${this.status}: ${JSON.stringify(this.raw)?.slice(0, 500)}`);
    if (isErrorBody(this.raw)) return this.raw;
    const e = ApiError.from(this.status, this.raw);
    return { statusCode: this.status, code: e.code, message: e.message, requestId: this.headers.get('x-request-id') ?? '' };
  }

  /** The error to throw for a failed request. */
  failure(): ApiError | SessionEndedError {
    const err = ApiError.from(this.status, this.raw);
    if (this.status === 401 && SESSION_ENDED.has(err.code)) return new SessionEndedError(err.code);
    return err;
  }
}

function isErrorBody(v: unknown): v is ApiErrorBody {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string' && typeof (v as { message?: unknown }).message === 'string';
}

/** A response's body as JSON when it parses, else its text (null when empty). */
export async function readJson(res: Response): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new NetworkError(`reading the answer: ${(err as Error).message}`, err);
  }
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
