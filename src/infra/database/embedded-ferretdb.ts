import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { PROJECT_ROOT } from '../process/project-root.js';
import { StartupError } from '../process/startup-error.js';

const SOURCE_DIR = path.join(PROJECT_ROOT, 'embedded', 'ferretdb');
/** Our changes to FerretDB's own sources (its README says which and why). */
const PATCH_DIR = path.join(SOURCE_DIR, '_patch');
const logger = new Logger('EmbeddedFerretDB');

/**
 * Path of the embedded FerretDB binary for the current sources, building it with the Go
 * toolchain on first use. The name carries a hash of the sources, so an edit rebuilds.
 */
export async function ensureFerretDbBinary(): Promise<string> {
  const hash = createHash('sha256');
  const sources = readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum');
  const patch = (readdirSync(PATCH_DIR, { recursive: true }) as string[]).map((f) => path.join('_patch', f));
  for (const f of [...sources, ...patch].sort()) {
    const file = path.join(SOURCE_DIR, f);
    if (statSync(file).isFile()) hash.update(f).update(readFileSync(file));
  }
  const binDir = path.join(PROJECT_ROOT, '.cache', 'bin');
  const binary = path.join(binDir, `pocketcloud-ferretdb-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return binary;

  mkdirSync(binDir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  logger.log('building the embedded FerretDB with Go (first start only; takes a minute or two)');
  const started = Date.now();
  const build = async () => {
    const workDir = path.join(binDir, `build-${process.pid}`);
    try {
      // Go finds the workspace file (go.work) in the directory it runs in.
      await writePatchedWorkspace(workDir);
      await run('go', ['build', '-trimpath', '-o', tmp, SOURCE_DIR], workDir);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  };
  await build().catch((err: unknown) => {
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

interface Patches {
  module: string;
  /** New files in the module, from files under _patch. */
  add: { target: string; source: string }[];
  /** Exact-text edits of the module's files; each `find` must occur exactly once. */
  edit: { target: string; find: string; replace: string }[];
}

/**
 * Copies the FerretDB module into `dir`, applies _patch/patches.json to the copy, and writes
 * there a Go workspace (go.work) that builds embedded/ferretdb against it. (Go
 * refuses `-overlay` on files in the module cache.) Fails if an edit's text is not found
 * exactly once: FerretDB's sources changed and the patch needs a look.
 */
async function writePatchedWorkspace(dir: string): Promise<void> {
  const patches = JSON.parse(readFileSync(path.join(PATCH_DIR, 'patches.json'), 'utf8')) as Patches;
  await run('go', ['mod', 'download', patches.module], SOURCE_DIR);
  const listed = (await run('go', ['list', '-m', '-f', '{{.Version}} {{.Dir}}', patches.module], SOURCE_DIR)).trim();
  const [version, moduleDir] = [listed.slice(0, listed.indexOf(' ')), listed.slice(listed.indexOf(' ') + 1)]; // a path may hold spaces
  const copy = path.join(dir, 'module');
  rmSync(dir, { recursive: true, force: true });
  cpSync(moduleDir, copy, { recursive: true });
  chmodTree(copy);
  for (const a of patches.add) writeFileSync(path.join(copy, a.target), readFileSync(path.join(PATCH_DIR, a.source)));
  patches.edit.forEach((e, i) => {
    const file = path.join(copy, e.target);
    const original = readFileSync(file, 'utf8');
    const at = original.indexOf(e.find);
    if (at < 0 || original.indexOf(e.find, at + 1) >= 0) {
      throw new Error(`embedded/ferretdb/_patch/patches.json: edit ${i} of ${e.target} does not match ${patches.module} ${version}'s source exactly once`);
    }
    writeFileSync(file, original.slice(0, at) + e.replace + original.slice(at + e.find.length));
  });
  writeFileSync(path.join(dir, 'go.work'), `go 1.24\n\nuse ${JSON.stringify(SOURCE_DIR)}\n\nreplace ${patches.module} ${version} => ${JSON.stringify(copy)}\n`);
}

/** The module cache's files are read-only; the copy's must be writable to patch and remove. */
function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chmodTree(p);
    else chmodSync(p, 0o644);
  }
}

/** Runs a command; resolves with its standard output. */
function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => reject(err));
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}
