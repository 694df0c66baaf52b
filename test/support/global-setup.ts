import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedFerretDb } from '../../src/infra/database/embedded-ferretdb.js';
import { buildIfStale } from './build.js';
import { startS3Server } from './s3-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  }
}

/** Starts the real servers the suite talks to, once per run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildServerIfStale();
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
function buildServerIfStale(): void {
  buildIfStale('tsconfig.build.json', 'dist/main.js', ['src'], 'dist/ for the tests that run the server as a process');
}
