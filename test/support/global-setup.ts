import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedFerretDb } from '../../src/infra/database/embedded-ferretdb.js';
import { PROJECT_ROOT } from '../../src/infra/process/project-root.js';
import { startS3Server } from './s3-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  }
}

/** Starts the real servers the suite talks to, once per run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildIfStale();
  const dir = mkdtempSync(path.join(tmpdir(), 'pocketcloud-test-'));
  const [db, s3] = await Promise.all([
    startEmbeddedFerretDb({ dataDir: path.join(dir, 'ferretdb'), port: 0, logLevel: 'error' }),
    startS3Server(path.join(dir, 's3')),
  ]);
  project.provide('mongoUri', db.uri);
  project.provide('s3', { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: s3.region });
  return async () => {
    await Promise.all([db.stop(), s3.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Some tests run the server as its own process (`node dist/main.js`): keep dist/ current. */
function buildIfStale(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const p = path.join(dir, e.name);
      return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  let built = 0;
  try {
    built = statSync(path.join(PROJECT_ROOT, 'dist', 'main.js')).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= newest(path.join(PROJECT_ROOT, 'src'))) return;
  process.stderr.write('building dist/ for the tests that run the server as a process...\n');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}
