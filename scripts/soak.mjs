// `npm run soak -- --runs N [--seed S] [--steps K] [--chunk C] [--prefill P]`: N randomized
// multi-device sync scenarios (test/e2e/sync-random.e2e.spec.ts) on seeds S, S+1, … (S random
// and printed when absent). A failure prints its seed and the command that replays it. With
// --prefill, each run's server first holds P nodes of other accounts (a server at scale).
//
// Scenarios run C at a time (default 100) per Vitest run, each run on a fresh FerretDB: one
// database holding every scenario's users slows down as it grows (FerretDB scans for anything
// but an _id lookup, docs/database.md), which would measure the database, not the sync.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '20'));
const seed = Number(opt('seed', String(Math.floor(Math.random() * 1e9))));
const steps = opt('steps', '60');
const chunk = Number(opt('chunk', '100'));
const prefill = opt('prefill', '0');
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || !Number.isInteger(chunk) || chunk < 1 || !/^\d+$/.test(prefill)) {
  console.error('usage: npm run soak -- --runs N [--seed S] [--steps K] [--chunk C] [--prefill P]');
  process.exit(2);
}
console.log(`soak: ${runs} scenarios from seed ${seed} (${steps} steps each, ${chunk} per run${prefill !== '0' ? `, on a server holding ${prefill} other nodes` : ''})`);
for (let done = 0; done < runs; done += chunk) {
  const n = Math.min(chunk, runs - done);
  console.log(`soak: seeds ${seed + done}–${seed + done + n - 1}`);
  const r = spawnSync('npx', ['vitest', 'run', 'test/e2e/sync-random.e2e.spec.ts', '--reporter=default', '--testTimeout=900000'], {
    stdio: 'inherit',
    env: { ...process.env, SYNC_SOAK_RUNS: String(n), SYNC_SOAK_SEED: String(seed + done), SYNC_STEPS: steps, SYNC_PREFILL: prefill },
  });
  if (r.status !== 0) {
    console.error(`soak: a scenario among seeds ${seed + done}–${seed + done + n - 1} failed (its seed is printed above)`);
    process.exit(r.status ?? 1);
  }
}
console.log(`soak: ${runs} scenarios passed`);
