import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { ensureGoTool, freePort, VERSITYGW_MODULE } from './go-tools.js';

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  stop(): Promise<void>;
}

/** Starts versitygw (a real S3 server over HTTP) on loopback, storing objects under `dir`. */
export async function startS3Server(dir: string): Promise<S3Server> {
  const binary = await ensureGoTool(VERSITYGW_MODULE, 'versitygw');
  const port = await freePort();
  const data = path.join(dir, 'data');
  const meta = path.join(dir, 'meta');
  mkdirSync(data, { recursive: true });
  mkdirSync(meta, { recursive: true });
  const accessKeyId = 'pocketcloud-test';
  const secretAccessKey = 'pocketcloud-test-secret-key';
  const child = spawn(binary, ['--port', `127.0.0.1:${port}`, 'posix', '--sidecar', meta, data], {
    env: { ...process.env, ROOT_ACCESS_KEY: accessKeyId, ROOT_SECRET_KEY: secretAccessKey },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 15_000).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`versitygw did not start: ${(err as Error).message}\n${stderr}`);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey,
    region: 'us-east-1',
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
