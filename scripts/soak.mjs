// `npm run soak -- --runs N [--seed S] [--steps K]`: N randomized multi-device sync scenarios
// (test/e2e/sync-random.e2e.spec.ts) on seeds S, S+1, … (S random and printed when absent).
// A failure prints its seed and the command that replays it.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '20'));
const seed = Number(opt('seed', String(Math.floor(Math.random() * 1e9))));
const steps = opt('steps', '60');
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run soak -- --runs N [--seed S] [--steps K]');
  process.exit(2);
}
console.log(`soak: ${runs} scenarios from seed ${seed} (${steps} steps each)`);
const r = spawnSync('npx', ['vitest', 'run', 'test/e2e/sync-random.e2e.spec.ts', '--reporter=default', '--testTimeout=900000'], {
  stdio: 'inherit',
  env: { ...process.env, SYNC_SOAK_RUNS: String(runs), SYNC_SOAK_SEED: String(seed), SYNC_STEPS: steps },
});
process.exit(r.status ?? 1);
