/** Small async helpers the SDK uses (no dependencies). */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `limit` at once; results in input order. Rejects with the first error. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const state: { failed: Error | null } = { failed: null };
  const worker = async (): Promise<void> => {
    while (state.failed === null && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        state.failed ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (state.failed) throw state.failed;
  return out;
}

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
