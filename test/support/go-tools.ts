import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/infra/process/project-root.js';

const BIN_DIR = path.join(PROJECT_ROOT, '.cache', 'bin');

/** The S3 server the tests talk to: versitygw (Apache-2.0), pinned. */
export const VERSITYGW_MODULE = 'github.com/versity/versitygw/cmd/versitygw@v1.8.0';

/** Builds a Go command with `go install` into .cache/bin once, and returns its path. */
export async function ensureGoTool(module: string, name: string): Promise<string> {
  const version = module.split('@')[1] ?? 'latest';
  const binary = path.join(BIN_DIR, `${name}-${version}`);
  if (existsSync(binary)) return binary;
  mkdirSync(BIN_DIR, { recursive: true });
  const gobin = path.join(BIN_DIR, `.gobin-${process.pid}`);
  process.stderr.write(`building ${module} with go install (first run only)...\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', module], { env: { ...process.env, GOBIN: gobin }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${module} exited with ${code}`))));
  });
  renameSync(path.join(gobin, name), binary);
  return binary;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
