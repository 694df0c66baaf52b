import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { hashBuffer } from '../../src/shared/content-hash.js';
import { nameKey } from '../../src/shared/names.js';
import type { PocketCloudClient } from '../../client/src/sdk/client.js';
import type { DeltaEntry } from '../../client/src/sdk/types.js';
import { knownPaths } from '../../client/src/sync/local-diff.js';
import type { ApiClient } from './api-client.js';
import { assertTree, foldDelta, liveRows, type FoldedNode } from './journal-fold.js';
import { diffFolders, readFolder, serverFolder, SimDevice } from './sync-sim.js';

/** mulberry32: a small, fast, seedable PRNG (the scenario is a pure function of its seed). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ScenarioOptions {
  devices: number;
  steps: number;
  /** Now and then a file over 4 MiB (several blocks). */
  bigFiles: boolean;
}

export interface ScenarioStats {
  seed: number;
  actions: Record<string, number>;
  serverConflicts: Record<string, number>;
  localConflicts: number;
  journalSeq: number;
  liveNodes: number;
  finalRounds: number;
  ms: number;
}

export class ScenarioFailure extends Error {}

const FILE_NAMES = ['a.txt', 'b.txt', 'A.txt', 'notes.md', 'é.txt', 'data.bin', 'c'];
const FOLDER_NAMES = ['x', 'y', 'Z', 'z', 'docs'];
const MAX_DEPTH = 3;

/**
 * One randomized multi-device scenario against a real server: `devices` simulated devices of one
 * account make random changes to their folders (create, edit, rename, move, delete — files and
 * folders; moves by copy + delete too), go offline and online, lose answers, are killed and
 * restarted (also in the middle of applying remote changes), and change their folder between a
 * push and a pull. Then everyone syncs until quiet, and the four invariants of docs/conflicts.md are
 * checked. Throws ScenarioFailure with the seed and the action log.
 */
export async function runScenario(server: string, api: ApiClient, seed: number, opts: ScenarioOptions): Promise<ScenarioStats> {
  const started = Date.now();
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number): boolean => rnd() < p;
  const log: string[] = [];
  const actions: Record<string, number> = {};
  const count = (a: string): void => {
    actions[a] = (actions[a] ?? 0) + 1;
  };
  const account = await api.register(`rand-${seed}-${Date.now()}@example.com`);
  const devices: SimDevice[] = [];
  for (let i = 0; i < opts.devices; i++) devices.push(await SimDevice.create(server, account, `dev${i}`));
  /** Every content a device wrote, and the ones a device later destroyed knowingly. */
  const written = new Map<string, string>();
  const superseded = new Set<string>();
  let counter = 0;
  let localConflicts = 0;

  const fail = (what: string, detail: unknown): never => {
    throw new ScenarioFailure(
      `seed ${seed}: ${what}\n${typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2)}\n` +
        `replay: SYNC_SEEDS=${seed} npx vitest run test/e2e/sync-random.e2e.spec.ts\n` +
        `last actions:\n${log.slice(-80).join('\n')}`,
    );
  };

  const content = (dev: SimDevice): Buffer => {
    counter++;
    if (opts.bigFiles && chance(0.02)) {
      const size = 4 * 1024 * 1024 + Math.floor(rnd() * 100_000);
      const key = createHash('sha256').update(`${seed}:${counter}`).digest();
      return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
    }
    const pad = 'x'.repeat(Math.floor(rnd() * 300));
    return Buffer.from(`${seed}:${dev.name}:${counter}:${pad}`);
  };

  const recordWrite = (dev: SimDevice, data: Buffer, where: string): void => {
    written.set(hashBuffer(data).contentHash, `${dev.name} ${where}`);
  };

  const supersede = async (abs: string): Promise<void> => {
    const st = await stat(abs).catch(() => null);
    if (!st) return;
    if (st.isFile()) superseded.add(hashBuffer(await readFile(abs)).contentHash);
    else for (const n of await readdir(abs)) await supersede(path.join(abs, n));
  };

  /** The device's folder: folders and files, relative paths (temp files and the state folder left out). */
  const listing = async (dev: SimDevice): Promise<{ folders: string[]; files: string[] }> => {
    const { entries } = await readFolder(dev.root);
    const folders = [''];
    const files: string[] = [];
    for (const [p, e] of entries) (e.kind === 'folder' ? folders : files).push(p);
    return { folders, files };
  };
  const depth = (p: string): number => (p === '' ? 0 : p.split('/').length);
  const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

  /** One random change to a device's folder. */
  const mutate = async (dev: SimDevice): Promise<void> => {
    const { folders, files } = await listing(dev);
    const abs = (p: string): string => path.join(dev.root, p);
    const kind = pick(['create', 'create', 'edit', 'edit', 'mkdir', 'rename', 'move', 'moveByCopy', 'delete', 'deleteFolder'] as const);
    switch (kind) {
      case 'create':
      case 'mkdir': {
        const dir = pick(folders.filter((f) => depth(f) < MAX_DEPTH));
        const p = join(dir, pick(kind === 'create' ? FILE_NAMES : FOLDER_NAMES));
        if (await stat(abs(p)).catch(() => null)) return;
        if (kind === 'mkdir') {
          await mkdir(abs(p));
        } else {
          const data = files.length > 0 && chance(0.1) ? await readFile(abs(pick(files))) : content(dev);
          await writeFile(abs(p), data);
          recordWrite(dev, data, `create ${p}`);
        }
        log.push(`${dev.name}: ${kind} ${p}`);
        count(kind);
        return;
      }
      case 'edit': {
        if (files.length === 0) return;
        const p = pick(files);
        await supersede(abs(p));
        const data = content(dev);
        if (chance(0.5)) {
          await writeFile(abs(p), data);
        } else {
          // An editor's atomic save: a new inode at the same path.
          await writeFile(abs(`${p}.swp~`), data);
          await rename(abs(`${p}.swp~`), abs(p));
        }
        recordWrite(dev, data, `edit ${p}`);
        log.push(`${dev.name}: edit ${p}`);
        count('edit');
        return;
      }
      case 'rename':
      case 'move':
      case 'moveByCopy': {
        const all = [...folders.filter((f) => f !== ''), ...files];
        if (all.length === 0) return;
        const from = pick(kind === 'moveByCopy' ? (files.length ? files : all) : all);
        const isFolder = folders.includes(from);
        const dir = kind === 'rename' ? path.posix.dirname(from).replace(/^\.$/, '') : pick(folders.filter((f) => depth(f) < MAX_DEPTH));
        if (isFolder && (dir === from || dir.startsWith(`${from}/`))) return;
        const to = join(dir, pick(isFolder ? FOLDER_NAMES : FILE_NAMES));
        if (to === from) return;
        const dest = await stat(abs(to)).catch(() => null);
        if (dest && (isFolder || dest.isDirectory())) return;
        if (dest) await supersede(abs(to)); // a file renamed over another replaces it
        if (kind === 'moveByCopy' && !isFolder) {
          await copyFile(abs(from), abs(`${to}.tmp~`));
          await rename(abs(`${to}.tmp~`), abs(to));
          await rm(abs(from));
        } else {
          await rename(abs(from), abs(to));
        }
        log.push(`${dev.name}: ${kind} ${from} -> ${to}`);
        count(kind);
        return;
      }
      case 'delete':
      case 'deleteFolder': {
        const list = kind === 'delete' ? files : folders.filter((f) => f !== '');
        if (list.length === 0) return;
        const p = pick(list);
        await supersede(abs(p));
        await rm(abs(p), { recursive: true, force: true });
        log.push(`${dev.name}: ${kind} ${p}`);
        count(kind);
        return;
      }
    }
  };

  class Crash extends Error {}
  const sync = async (dev: SimDevice, label: string): Promise<void> => {
    try {
      const r = await dev.sync();
      localConflicts += r.localConflicts;
      log.push(`${dev.name}: ${label} → queued ${r.queued}, pushed ${r.pushed}, dropped ${r.dropped}, applied ${r.applied}, local conflicts ${r.localConflicts}${r.conflicts.length ? `, server conflicts ${r.conflicts.map((c) => c.kind).join(',')}` : ''}`);
      if (r.dropped > 0) fail('the server refused an operation for good', dev.store.failures());
    } catch (err) {
      if (err instanceof Crash) {
        log.push(`${dev.name}: ${label} → crashed mid-apply`);
        dev.restart();
        return;
      }
      const name = (err as Error).name;
      if ((name === 'PushInterrupted' || name === 'NetworkError') && (dev.faults.offline || log.length > 0)) {
        log.push(`${dev.name}: ${label} → ${(err as Error).message.slice(0, 120)}`);
        return;
      }
      fail(`${dev.name}: unexpected error during ${label}`, (err as Error).stack ?? String(err));
    }
  };

  try {
    for (let step = 0; step < opts.steps; step++) {
      const dev = pick(devices);
      const r = rnd();
      if (r < 0.55) {
        await mutate(dev);
      } else if (r < 0.8) {
        count('sync');
        await sync(dev, dev.faults.offline ? 'sync (offline)' : 'sync');
      } else if (r < 0.87) {
        dev.faults.offline = !dev.faults.offline;
        count(dev.faults.offline ? 'offline' : 'online');
        log.push(`${dev.name}: ${dev.faults.offline ? 'goes offline' : 'comes online'}`);
      } else if (r < 0.9) {
        dev.faults.loseAnswers = 1 + Math.floor(rnd() * 3);
        count('loseAnswers');
        log.push(`${dev.name}: will lose ${dev.faults.loseAnswers} answers`);
        await sync(dev, 'sync (lossy)');
        dev.faults.loseAnswers = 0;
      } else if (r < 0.93) {
        count('restart');
        log.push(`${dev.name}: killed and restarted`);
        dev.restart();
      } else if (r < 0.96) {
        count('crashMidApply');
        let n = Math.floor(rnd() * 4);
        dev.hooks.beforeFsStep = () => {
          if (n-- <= 0) throw new Crash('simulated crash');
        };
        await sync(dev, 'sync (crashes mid-apply)');
        dev.hooks.beforeFsStep = undefined;
      } else {
        count('editDuringSync');
        dev.hooks.afterPush = () => mutate(dev);
        await sync(dev, 'sync (folder changes between push and pull)');
        dev.hooks.afterPush = undefined;
      }
    }

    // Everyone online, no faults: sync round after round until nothing happens.
    for (const d of devices) {
      d.faults.offline = false;
      d.faults.loseAnswers = 0;
      d.hooks = {};
    }
    let rounds = 0;
    for (let quiet = 0; quiet < 2; rounds++) {
      if (rounds > 15) fail('the devices never became quiet', '');
      let activity = 0;
      for (const d of devices) {
        const before = d.store.cursor;
        const rep = await d.engine.syncOnce().catch((err: Error) => fail(`${d.name}: error in the final sync`, err.stack ?? String(err)));
        localConflicts += rep.localConflicts;
        activity += rep.queued + rep.pushed + rep.applied + (rep.cursor !== before ? 1 : 0);
        if (rep.dropped > 0) fail('the server refused an operation for good', d.store.failures());
      }
      quiet = activity === 0 ? quiet + 1 : 0;
    }

    // ── the invariants ──────────────────────────────────────────────────────────────────
    const client = devices[0]!.client;
    const server = await serverFolder(client);
    // 1. Convergence: every folder and every device's tree of ids equal the server's.
    for (const d of devices) {
      const { entries, temps } = await readFolder(d.root);
      const diff = diffFolders(entries, server, d.name, 'server');
      if (diff.length) fail(`convergence: ${d.name}'s folder differs from the server`, diff.join('\n'));
      if (temps.length) fail(`${d.name} left temp files`, temps);
      if (d.store.queueLength() > 0) fail(`${d.name} still has queued operations`, d.store.ops());
      const ids = knownPaths(d.store.allNodes().values().next().value?.parentId ?? '', new Map());
      void ids;
      const session = d.session.load()!;
      const paths = knownPaths(session.ns, d.store.allNodes());
      const mismatched = [...server].filter(([p, e]) => [...paths].find(([, kp]) => kp === p)?.[0] !== e.id).map(([p]) => p);
      if (mismatched.length || paths.size !== server.size) fail(`convergence: ${d.name}'s ids differ from the server's`, mismatched);
    }
    // 3. A tree: parents are live folders, no cycles, names unique under NFC + case folding.
    const live = await client.list({ path: '/' }, true);
    const ns = devices[0]!.session.load()!.ns;
    const liveMap = new Map<string, FoldedNode>(live.map((e) => [e.id, { ...e }]));
    try {
      assertTree(liveMap, ns);
      const keys = new Set<string>();
      for (const e of live) {
        const k = `${e.parentId}/${nameKey(e.name)}`;
        if (keys.has(k)) throw new Error(`two live nodes named ${e.name} under ${e.parentId}`);
        keys.add(k);
      }
    } catch (err) {
      fail('a tree', (err as Error).message);
    }
    // 4. Replay: folding the journal from the start gives the tree; seqs are contiguous.
    const entries = await readAllDelta(client);
    const seqs = [...new Set(entries.map((e) => e.seq))];
    const head = (await client.latest()).seq;
    if (seqs.some((s, i) => s !== i + 1) || seqs.length !== head) fail('replay: journal seqs are not contiguous', { head, seqs: seqs.length });
    const folded = foldDelta(entries);
    const replayed = liveRows(folded.values());
    const current = liveRows(liveMap.values());
    if (JSON.stringify(replayed) !== JSON.stringify(current)) fail('replay: the folded journal differs from the tree', { replayed, current });
    // 2. No lost content: every version a device wrote (and did not itself destroy) is live,
    //    a conflicted copy, a revision or in the trash.
    const held = new Set<string>();
    for (const n of folded.values()) {
      if (n.kind !== 'file') continue;
      if (n.contentHash) held.add(n.contentHash);
      for (const r of await client.revisions(n.id)) held.add(r.contentHash);
    }
    const lost = [...written].filter(([h]) => !superseded.has(h) && !held.has(h));
    if (lost.length) fail('no lost content: versions nobody destroyed are gone', lost);

    const serverConflicts: Record<string, number> = {};
    for (const c of await client.conflicts()) serverConflicts[c.kind] = (serverConflicts[c.kind] ?? 0) + 1;
    return { seed, actions, serverConflicts, localConflicts, journalSeq: head, liveNodes: live.length, finalRounds: rounds, ms: Date.now() - started };
  } finally {
    for (const d of devices) d.destroy();
  }
}

async function readAllDelta(client: PocketCloudClient): Promise<(DeltaEntry & FoldedNode)[]> {
  const out: (DeltaEntry & FoldedNode)[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.delta(cursor, 10_000);
    out.push(...(page.entries as (DeltaEntry & FoldedNode)[]));
    cursor = page.cursor;
    if (!page.hasMore) return out;
  }
}
