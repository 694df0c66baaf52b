import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/infra/process/project-root.js';

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = path.join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }, 0);
}

/**
 * Runs `tsc -p <tsconfig>` when any file under `sources` is newer than `output` — for tests
 * that run built code as a process (the server's dist/, the CLI's dist-client/).
 */
export function buildIfStale(tsconfig: string, output: string, sources: string[], what: string): void {
  let built = 0;
  try {
    built = statSync(path.join(PROJECT_ROOT, output)).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= Math.max(...sources.map((s) => newestMtime(path.join(PROJECT_ROOT, s))))) return;
  process.stderr.write(`building ${what}...\n`);
  execFileSync('npx', ['tsc', '-p', tsconfig], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}
