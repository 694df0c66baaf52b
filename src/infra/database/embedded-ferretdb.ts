import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { PROJECT_ROOT } from '../process/project-root.js';
import { StartupError } from '../process/startup-error.js';

const SOURCE_DIR = path.join(PROJECT_ROOT, 'embedded', 'ferretdb');
const logger = new Logger('EmbeddedFerretDB');

/**
 * Path of the embedded FerretDB binary for the current sources, building it with the Go
 * toolchain on first use. The name carries a hash of the sources, so an edit rebuilds.
 */
export async function ensureFerretDbBinary(): Promise<string> {
  const hash = createHash('sha256');
  const sources = readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum');
  for (const f of sources.sort()) hash.update(f).update(readFileSync(path.join(SOURCE_DIR, f)));
  const binDir = path.join(PROJECT_ROOT, '.cache', 'bin');
  const binary = path.join(binDir, `pocketcloud-ferretdb-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return binary;

  mkdirSync(binDir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  logger.log('building the embedded FerretDB with Go (first start only; takes a minute or two)');
  const started = Date.now();
  await run('go', ['build', '-trimpath', '-o', tmp, '.'], SOURCE_DIR).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StartupError(
      `MONGODB_URI is not set, so pocketCloud runs an embedded FerretDB, which is built with Go 1.24+ ` +
        `on first start — and that build failed: ${reason}\n` +
        `Install Go (https://go.dev/dl/) or set MONGODB_URI to a MongoDB server.`,
    );
  });
  renameSync(tmp, binary); // atomic: a concurrent start either sees no binary or a whole one
  logger.log({ binary, seconds: Math.round((Date.now() - started) / 1000) }, 'embedded FerretDB built');
  return binary;
}

export interface EmbeddedFerretDb {
  readonly uri: string;
  /** Resolves once the process has exited. */
  stop(): Promise<void>;
  /** Called if the process dies on its own. */
  onUnexpectedExit(cb: (code: number | null) => void): void;
}

/** Starts FerretDB on SQLite files in `dataDir`, on loopback, and waits until it listens. */
export async function startEmbeddedFerretDb(opts: {
  dataDir: string;
  port: number;
  binary?: string | undefined;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}): Promise<EmbeddedFerretDb> {
  const binary = opts.binary ?? (await ensureFerretDbBinary());
  if (!existsSync(binary)) throw new StartupError(`FERRETDB_BINARY points at ${binary}, which does not exist.`);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });

  const child = spawn(
    binary,
    ['-listen', `127.0.0.1:${opts.port}`, '-dir', opts.dataDir, '-log-level', opts.logLevel ?? 'warn', '-watch-stdin'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stopping = false;
  let exitCb: ((code: number | null) => void) | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    logger.warn({ ferretdb: tryJson(line) }, 'ferretdb');
  });

  const uri = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      const parsed = tryJson(line) as { uri?: unknown };
      if (typeof parsed?.uri === 'string') resolve(parsed.uri);
      else reject(new StartupError(`embedded FerretDB printed an unexpected line: ${line}`));
    });
    child.once('error', (err) => reject(new StartupError(`cannot run ${binary}: ${err.message}`)));
    void exited.then((code) =>
      reject(new StartupError(`embedded FerretDB exited with code ${code} before listening:\n${stderrTail.join('\n')}`)),
    );
  });

  void exited.then((code) => {
    if (!stopping) exitCb?.(code);
  });
  logger.log({ uri, dataDir: opts.dataDir }, 'embedded FerretDB is listening');

  return {
    uri,
    onUnexpectedExit: (cb) => {
      exitCb = cb;
    },
    stop: async () => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function tryJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => reject(err));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}
