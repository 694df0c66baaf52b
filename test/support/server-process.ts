import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../src/infra/process/project-root.js';
import { ApiClient } from './api-client.js';

/**
 * The real server as a separate OS process (`node dist/main.js`), for tests that run two of
 * them on one database or kill one with SIGKILL. The global setup keeps dist/ current.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  url = '';
  api!: ApiClient;
  readonly output: string[] = [];
  /** Every error or fatal log line, kept apart from `output`, which holds only the last 2,000 lines. */
  private readonly errorLines: string[] = [];

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'main.js')], {
      cwd: PROJECT_ROOT,
      // info: the "listening" line tells the port.
      env: { PATH: process.env.PATH ?? '', ...this.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const lines = createInterface({ input: child.stdout });
    child.stderr.on('data', (d: Buffer) => this.keep(d.toString()));
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.output.join('\n')}`)), 30_000);
      lines.on('line', (line) => {
        this.keep(line);
        if (!line.includes('pocketCloud is listening')) return;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      });
      void this.exited.then(() => reject(new Error(`server exited at start:\n${this.output.join('\n')}`)));
    });
    this.api = new ApiClient(this.url);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the process is still running (started and not exited). */
  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills at once, synchronously (for `process.on('exit')`). */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  /** SIGKILL: no shutdown hooks, no flushing — a crash. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
  }

  /** A field of the first JSON log line whose message is `msg`. */
  logged(msg: string, field: string): unknown {
    for (const line of this.output) {
      if (!line.includes(msg)) continue;
      try {
        return (JSON.parse(line) as Record<string, unknown>)[field];
      } catch {
        // not JSON
      }
    }
    throw new Error(`the server did not log "${msg}"`);
  }

  /** Error lines the server logged (for failure messages). */
  errors(): string[] {
    return [...this.errorLines];
  }

  private keep(line: string): void {
    if ((line.includes('"level":"error"') || line.includes('"level":"fatal"')) && this.errorLines.length < 1000) this.errorLines.push(line);
    this.output.push(line);
    if (this.output.length > 2000) this.output.shift();
  }
}
