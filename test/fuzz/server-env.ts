/** How the fuzzer's server is configured, shared by the Vitest test and `npm run fuzz`. */
export const FUZZ_ADMIN_EMAIL = 'fuzz-admin@example.com';
export const FUZZ_JSON_LIMIT_KB = 8192;
export const FUZZ_ACCESS_TTL_SECONDS = 900;

export function fuzzServerEnv(): Record<string, string> {
  return {
    ADMIN_EMAILS: FUZZ_ADMIN_EMAIL,
    // The defaults, spelled out: the fuzzer sends bodies just over the limit and forges lifetimes around the TTL.
    JSON_BODY_LIMIT_KB: String(FUZZ_JSON_LIMIT_KB),
    ACCESS_TOKEN_TTL_SECONDS: String(FUZZ_ACCESS_TTL_SECONDS),
    // Login, register and refresh are a few percent of the requests; at the default of 10 a
    // minute nearly all would be 429. This still answers 429 to a burst now and then.
    AUTH_RATE_LIMIT_PER_MINUTE: '300',
    // Every login makes a device; the fuzzer logs in a lot. Below the default of 100 a long run
    // reaches the limit (DEVICE_LIMIT) now and then, and signs devices out to go on.
    MAX_DEVICES_PER_USER: '60',
    // The heap is read through the inspector (a full GC, then process.memoryUsage()).
    NODE_OPTIONS: '--inspect=127.0.0.1:0',
  };
}
