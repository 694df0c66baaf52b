/** Small async helpers the SDK uses (no dependencies); `mapLimit` is shared with the server (src/shared/async.ts). */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: attempt 0 → up to `base`, doubling, capped at `max`. */
export function backoffMs(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

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
