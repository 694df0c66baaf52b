/**
 * Runs `fn` over `items` with at most `limit` (at least 1) calls in flight; results keep the
 * input order. After a failure no further item is started; the calls already running are
 * awaited (nothing keeps working behind the caller's back), then the first error is thrown.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const state: { failed: { error: unknown } | null } = { failed: null };
  const worker = async (): Promise<void> => {
    while (state.failed === null && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (error) {
        state.failed ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(Number.isFinite(limit) ? Math.floor(limit) : 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (state.failed) throw state.failed.error;
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter: attempt 0 waits between `base`/2 and `base`, doubling, capped at `max`. */
export function backoffMs(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
