import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeapProbe } from '../fuzz/heap-probe.js';
import { FuzzHttp } from '../fuzz/http.js';
import { loadOperations } from '../fuzz/openapi.js';
import { formatReport, runFuzz, type FuzzReport } from '../fuzz/runner.js';
import { FUZZ_ACCESS_TTL_SECONDS, FUZZ_ADMIN_EMAIL, FUZZ_JSON_LIMIT_KB, fuzzServerEnv } from '../fuzz/server-env.js';
import { call, World } from '../fuzz/world.js';
import { ServerProcess } from '../support/server-process.js';
import { testEnv } from '../support/test-env.js';

/** CI's share of `npm run fuzz`: a fixed seed, a bounded count (docs/fuzzing.md). */
const SEED = 20261204;
const REQUESTS = 3000;
/** Heap growth after GC between warm-up and the end: a few MiB is normal; a leak of a few KiB per request shows. */
const HEAP_BOUND = 24 * 1024 * 1024;

describe('fuzzer: generated requests for every operation of docs/openapi.json (e2e)', () => {
  let server: ServerProcess;
  let probe: HeapProbe;
  let env: Record<string, string>;
  let report: FuzzReport;

  beforeAll(async () => {
    // A device limit a 3,000-request run reaches, so the fuzzer's way past DEVICE_LIMIT is exercised too.
    env = testEnv('fuzz', 's3', { ...fuzzServerEnv(), MAX_DEVICES_PER_USER: '5' });
    server = new ServerProcess(env);
    await server.start();
    const url = HeapProbe.urlFrom(server.output);
    if (!url) throw new Error('the server did not print its inspector URL');
    probe = await HeapProbe.connect(url);
    report = await runFuzz(
      { url: server.url, alive: () => server.alive, memory: () => probe.sample(server.pid!), errorLines: () => server.errors() },
      {
        seed: SEED,
        requests: REQUESTS,
        adminEmail: FUZZ_ADMIN_EMAIL,
        jwtSecret: env.JWT_SECRET,
        jsonLimitBytes: FUZZ_JSON_LIMIT_KB * 1024,
        accessTtlSeconds: FUZZ_ACCESS_TTL_SECONDS,
        maxHeapGrowthBytes: HEAP_BOUND,
      },
    );
    process.stdout.write(`${formatReport(report)}\n`);
  }, 300_000);

  afterAll(async () => {
    probe?.close();
    await server?.stop();
  });

  it('sends every request and finds nothing: no 5xx, no hang, no cross-account access, alive, healthy, heap bounded', () => {
    expect(report.failures, formatReport(report)).toEqual([]);
    expect(report.requests).toBe(REQUESTS);
    expect(report.byClass['5xx']).toBeUndefined();
    expect(report.byClass['no answer']).toBeUndefined();
    expect(server.alive).toBe(true);
    expect(report.byCode.DEVICE_LIMIT).toBeGreaterThan(0);
  });

  it('gets past DEVICE_LIMIT when it has to log in again: it signs the other devices out through its keeper', async () => {
    const world = new World(new FuzzHttp(server.url), `fuzz-keeper-${Date.now()}@example.com`);
    await world.setup();
    const a = world.A;
    const login = () => call(world.http, 'POST', '/v1/auth/login', { email: a.email, password: a.password, deviceName: 'filler', platform: 'cli' });
    let r = await login();
    while (r.status === 200) r = await login();
    expect(r.json.code).toBe('DEVICE_LIMIT');
    a.dead = true;
    await world.ensureSession(a);
    expect(world.devicesSignedOut).toBeGreaterThan(0);
    expect((await call(world.http, 'GET', '/v1/me', undefined, a.session!.accessToken)).status).toBe(200);
    world.http.close();
  });

  it('reaches past validation: every operation of the spec was sent and answered 2xx at least once', () => {
    const ops = loadOperations().map((o) => o.id);
    expect(Object.keys(report.byOperation).sort()).toEqual([...ops].sort());
    const never = Object.entries(report.byOperation).filter(([, v]) => v.ok === 0).map(([k]) => k);
    expect(never).toEqual([]);
    // And still mostly hostile: well over half the answers are refusals.
    expect(report.byClass['4xx']! / report.requests).toBeGreaterThan(0.5);
  });

  it('tried other accounts’ ids, blocks and cursors and was refused every time', () => {
    expect(Object.values(report.crossAccount).reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
    expect(report.crossAccount['2xx']).toBeUndefined();
  });

  it('measured the heap after warm-up and at the end', () => {
    expect(report.memory.warm?.heapUsed).toBeGreaterThan(0);
    expect(report.memory.end!.heapUsed - report.memory.warm!.heapUsed).toBeLessThan(HEAP_BOUND);
  });
});
