import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from '../../src/infra/database/embedded-ferretdb.js';
import { ServerProcess } from '../../test/support/server-process.js';
import { startS3Server, type S3Server } from '../../test/support/s3-server.js';

/** A throwaway world for a benchmark: FerretDB, optionally versitygw, and the built server as a process. */
export interface BenchWorld {
  dir: string;
  db: EmbeddedFerretDb;
  s3: S3Server | undefined;
  server: ServerProcess;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startWorld(opts: { store: 'fs' | 's3'; extraEnv?: Record<string, string> }): Promise<BenchWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pocketcloud-bench-'));
  const [db, s3] = await Promise.all([
    startEmbeddedFerretDb({ dataDir: path.join(dir, 'ferretdb'), port: 0, logLevel: 'error' }),
    opts.store === 's3' ? startS3Server(path.join(dir, 's3')) : Promise.resolve(undefined),
  ]);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: path.join(dir, 'data'),
    MONGODB_URI: db.uri,
    MONGODB_DB: 'bench',
    JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    DEFAULT_QUOTA_BYTES: '0',
    MQTT_TCP_PORT: '0',
    BLOB_STORE: opts.store,
    ...(s3
      ? {
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: 'bench',
          S3_ACCESS_KEY_ID: s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        }
      : {}),
    ...opts.extraEnv,
  };
  const server = new ServerProcess(env);
  // A benchmark that dies must not leave its server behind (FerretDB follows its parent).
  process.once('exit', () => server.killNow());
  await server.start();
  return {
    dir,
    db,
    s3,
    server,
    env,
    close: async () => {
      await server.stop();
      await Promise.all([db.stop(), s3?.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) * 1024 : 0;
}

/** Samples a process's RSS every 50 ms until stopped; returns the peak. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}

export const MiB = 1024 * 1024;

export function fmtBytes(n: number): string {
  if (n >= 1024 * MiB) return `${(n / (1024 * MiB)).toFixed(2)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A signed change in bytes: "+17.3 MiB", "-19.8 MiB". */
export function fmtDelta(n: number): string {
  return `${n < 0 ? '-' : '+'}${fmtBytes(Math.abs(n))}`;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Prints rows as an aligned table. */
export function printTable(title: string, rows: [string, string][]): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\n${title}\n${'─'.repeat(title.length)}\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
}
