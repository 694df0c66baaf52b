/**
 * `npm run fuzz -- --requests N --seed S`: the OpenAPI-driven fuzzer against a throwaway world
 * (embedded FerretDB, versitygw or the filesystem store, the built server as its own process).
 * Prints the figures and every failure with the request that caused it; exits 1 on a failure.
 *
 * Options: --requests N (default 5000), --seed S (default random, printed), --concurrency C
 * (default 1: the run repeats exactly from its seed), --store s3|fs (default s3),
 * --max-heap-growth-mib M (default 64), --progress K (a line every K requests, default 1000),
 * --trace true (a line for every request).
 */
import { startWorld } from '../../bench/lib/harness.js';
import { HeapProbe } from './heap-probe.js';
import { loadOperations } from './openapi.js';
import { formatReport, runFuzz } from './runner.js';
import { fuzzServerEnv, FUZZ_ADMIN_EMAIL, FUZZ_JSON_LIMIT_KB, FUZZ_ACCESS_TTL_SECONDS } from './server-env.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const int = (name: string, dflt: number): number => {
  const v = args.has(name) ? Number(args.get(name)) : dflt;
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`--${name} must be a non-negative integer\n`);
    process.exit(2);
  }
  return v;
};
const requests = int('requests', 5000);
const seed = int('seed', Math.floor(Math.random() * 1e9));
const concurrency = Math.max(1, int('concurrency', 1));
const maxHeapGrowth = int('max-heap-growth-mib', 64) * 1024 * 1024;
const progress = int('progress', 1000);
const store = (args.get('store') ?? 's3') as 'fs' | 's3';
if (store !== 'fs' && store !== 's3') {
  process.stderr.write('--store is s3 or fs\n');
  process.exit(2);
}

async function main(): Promise<void> {
  process.stdout.write(`fuzz: ${requests} requests, seed ${seed}, concurrency ${concurrency}, ${store} store\n`);
  const world = await startWorld({ store, extraEnv: fuzzServerEnv() });
  const { server } = world;
  const url = HeapProbe.urlFrom(server.output);
  if (!url) throw new Error('the server did not print its inspector URL');
  const probe = await HeapProbe.connect(url);
  let exit = 0;
  try {
    const report = await runFuzz(
      {
        url: server.url,
        alive: () => server.alive,
        memory: () => probe.sample(server.pid!),
        errorLines: () => server.errors(),
      },
      {
        seed,
        requests,
        concurrency,
        adminEmail: FUZZ_ADMIN_EMAIL,
        jwtSecret: world.env.JWT_SECRET,
        jsonLimitBytes: FUZZ_JSON_LIMIT_KB * 1024,
        accessTtlSeconds: FUZZ_ACCESS_TTL_SECONDS,
        maxHeapGrowthBytes: maxHeapGrowth,
        log: (l) => process.stdout.write(`${l}\n`),
        progressEvery: progress,
        trace: args.get('trace') === 'true',
      },
    );
    process.stdout.write(`${formatReport(report, loadOperations())}\n`);
    if (report.failures.length) {
      process.stdout.write(`replay: npm run fuzz -- --requests ${requests} --seed ${seed}${concurrency > 1 ? ` --concurrency ${concurrency}` : ''} --store ${store}\n`);
      exit = 1;
    }
  } finally {
    probe.close();
    await world.close();
  }
  process.exit(exit);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
