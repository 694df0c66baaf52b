/** Small async helpers the SDK uses (no dependencies); `mapLimit`, `sleep` and `backoffMs` are shared with the server (src/shared/async.ts). */
import { backoffMs, sleep } from '../../../src/shared/async.js';

export { backoffMs, sleep };

/** Retries `fn` while `retryable(err)` says so, with backoff; at most `tries` attempts. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: { tries: number; baseMs: number; maxMs: number; retryable: (err: unknown) => boolean },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt + 1 >= opts.tries || !opts.retryable(err)) throw err;
      await sleep(backoffMs(attempt, opts.baseMs, opts.maxMs));
    }
  }
}
