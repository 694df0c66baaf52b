import { mkdtempSync, rmSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashBuffer } from '../../src/shared/content-hash.js';
import { PocketCloudClient, type FetchLike } from '../../client/src/sdk/client.js';
import { SqliteSessionStore } from '../../client/src/state/session-store.js';
import { SyncStore } from '../../client/src/state/store.js';
import { SyncEngine, type EngineHooks, type SyncReport } from '../../client/src/sync/engine.js';
import { TEMP_PREFIX, STATE_DIR } from '../../client/src/sync/fs-scan.js';

/** Faults a simulated device's network can have. */
export interface Faults {
  /** Every request fails before reaching the server. */
  offline: boolean;
  /** The next N write requests reach the server, but their answers are lost. */
  loseAnswers: number;
  /** Only requests whose URL matches lose their answers (default: every write). */
  loseOnly?: RegExp;
}

/**
 * A simulated device: its own folder, its own state (session.db + sync.db in a home folder), the
 * real SDK and sync engine, and a network that can be cut or lose answers. `restart()` drops the
 * engine and opens everything again from disk, as a killed and restarted process would.
 */
export class SimDevice {
  readonly faults: Faults = { offline: false, loseAnswers: 0 };
  store!: SyncStore;
  session!: SqliteSessionStore;
  client!: PocketCloudClient;
  engine!: SyncEngine;
  hooks: EngineHooks = {};
  requests = 0;
  /** Requests that upload blocks: PUT /v1/blocks/<hash> and POST /v1/blocks/pack. */
  blockUploads = 0;

  private constructor(
    readonly name: string,
    readonly root: string,
    readonly home: string,
  ) {}

  static async create(server: string, account: { email: string; password: string }, name: string, base?: string): Promise<SimDevice> {
    const dir = base ?? mkdtempSync(path.join(tmpdir(), `pc-dev-${name}-`));
    const root = path.join(dir, 'folder');
    const home = path.join(dir, 'home');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(root, { recursive: true });
    mkdirSync(home, { recursive: true });
    const d = new SimDevice(name, root, home);
    const session = new SqliteSessionStore(path.join(home, 'session.db'));
    await PocketCloudClient.login(server, { email: account.email, password: account.password, deviceName: name, platform: 'linux' }, session);
    session.close();
    d.open();
    return d;
  }

  private readonly fetch: FetchLike = async (input, init) => {
    this.requests++;
    if ((init.method === 'PUT' && input.includes('/v1/blocks/')) || (init.method === 'POST' && input.endsWith('/v1/blocks/pack'))) this.blockUploads++;
    if (this.faults.offline) throw new TypeError('fetch failed (simulated: offline)');
    const res = await fetch(input, init);
    const write = (init.method ?? 'GET') !== 'GET' && !input.includes('/v1/auth/');
    if (write && this.faults.loseAnswers > 0 && (this.faults.loseOnly?.test(input) ?? true)) {
      this.faults.loseAnswers--;
      await res.arrayBuffer();
      throw new TypeError('fetch failed (simulated: the answer was lost)');
    }
    return res;
  };

  open(): void {
    this.session = new SqliteSessionStore(path.join(this.home, 'session.db'));
    this.store = new SyncStore(path.join(this.home, 'sync.db'));
    this.client = new PocketCloudClient({ session: this.session, fetch: this.fetch });
    const s = this.session.load()!;
    this.engine = new SyncEngine({
      client: this.client,
      store: this.store,
      root: this.root,
      deviceName: this.name,
      ns: s.ns,
      hooks: {
        afterPush: () => this.hooks.afterPush?.() ?? Promise.resolve(),
        beforeFsStep: (w) => this.hooks.beforeFsStep?.(w),
      },
    });
  }

  /** A killed process coming back: everything in memory is gone, the databases and the folder stay. */
  restart(): void {
    this.close();
    this.open();
  }

  close(): void {
    this.store.close();
    this.session.close();
  }

  sync(): Promise<SyncReport> {
    return this.engine.syncOnce();
  }

  destroy(): void {
    this.close();
    rmSync(path.dirname(this.root), { recursive: true, force: true });
  }
}

export interface DiskEntry {
  kind: 'file' | 'folder';
  hash: string | null;
}

/** The folder as path → kind and content hash (the state folder excluded; temp files reported). */
export async function readFolder(root: string): Promise<{ entries: Map<string, DiskEntry>; temps: string[] }> {
  const entries = new Map<string, DiskEntry>();
  const temps: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      if (rel === '' && name === STATE_DIR) continue;
      if (name.startsWith(TEMP_PREFIX)) {
        temps.push(p);
        continue;
      }
      const st = await lstat(path.join(root, p));
      if (st.isDirectory()) {
        entries.set(p, { kind: 'folder', hash: null });
        await walk(p);
      } else {
        entries.set(p, { kind: 'file', hash: hashBuffer(await readFile(path.join(root, p))).contentHash });
      }
    }
  };
  await walk('');
  return { entries, temps };
}

/** The server's live tree as path → kind and content hash (paths without the leading slash). */
export async function serverFolder(client: PocketCloudClient): Promise<Map<string, DiskEntry & { id: string }>> {
  const out = new Map<string, DiskEntry & { id: string }>();
  for (const e of await client.list({ path: '/' }, true)) out.set(e.path.replace(/^\//, ''), { kind: e.kind, hash: e.kind === 'file' ? e.contentHash : null, id: e.id });
  return out;
}

/** A readable diff of two path maps (empty when equal). */
export function diffFolders(a: Map<string, DiskEntry>, b: Map<string, DiskEntry>, la = 'a', lb = 'b'): string[] {
  const out: string[] = [];
  for (const [p, e] of a) {
    const o = b.get(p);
    if (!o) out.push(`only in ${la}: ${p} (${e.kind})`);
    else if (o.kind !== e.kind || o.hash !== e.hash) out.push(`differs: ${p} ${la}=${e.kind}:${e.hash?.slice(0, 8)} ${lb}=${o.kind}:${o.hash?.slice(0, 8)}`);
  }
  for (const [p, e] of b) if (!a.has(p)) out.push(`only in ${lb}: ${p} (${e.kind})`);
  return out;
}
