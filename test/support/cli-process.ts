import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/infra/process/project-root.js';
import { buildIfStale } from './build.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'pocketcloud.js');

/** Builds dist-client/ when a source of the client (or of src/shared) is newer than it. */
export function buildClientIfStale(): void {
  buildIfStale('tsconfig.client.json', 'dist-client/client/src/cli/main.js', ['client/src', 'src/shared'], 'dist-client/ for the CLI tests');
}

/** Runs `pocketcloud --home <home> --json <args>` to completion; returns its parsed JSON output. */
export async function cli(home: string, args: string[], env: Record<string, string> = {}): Promise<any> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, '--home', home, '--json', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
  });
  const lines = stdout.trim().split('\n').filter(Boolean);
  return JSON.parse(lines[lines.length - 1]!);
}

/** A long-running `pocketcloud sync <dir>` process, its JSON event lines collected. */
export class SyncProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  readonly events: any[] = [];
  readonly stderr: string[] = [];

  constructor(
    readonly home: string,
    readonly dir: string,
    readonly extra: string[] = [],
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [BIN, '--home', this.home, '--json', 'sync', this.dir, ...this.extra], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        let ev: any;
        try {
          ev = JSON.parse(line);
        } catch {
          return;
        }
        this.events.push(ev);
        if (ev.event === 'ready') resolve();
      });
      void this.exited.then((code) => reject(new Error(`sync exited (${code}) before it was ready: ${this.stderr.join('')}`)));
    });
    await ready;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: the process dies wherever it is (a crash, or a phone losing power). */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: a clean stop. Resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.child?.kill('SIGTERM');
    return this.exited;
  }
}
