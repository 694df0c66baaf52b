/**
 * `npm run bench:propagation`: how long a small edit in folder A takes to show up in folder B.
 * Two devices of one account, each a real SyncService (chokidar watcher → scan → push; MQTT poke
 * over WebSocket → delta → atomic write) in this process, against the server as a process on
 * loopback. Prints p50/p90/p99 (not asserted).
 *
 * Options: --edits N (default 200), --gap-ms M (pause between edits, default 100).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PocketCloudClient } from '../client/src/sdk/client.js';
import { SqliteSessionStore } from '../client/src/state/session-store.js';
import { SyncStore } from '../client/src/state/store.js';
import { SyncEngine } from '../client/src/sync/engine.js';
import { SyncService } from '../client/src/sync/service.js';
import { printTable, startWorld } from './lib/harness.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const edits = Number(args.get('edits') ?? 200);
const gapMs = Number(args.get('gap-ms') ?? 100);

async function device(server: string, account: { email: string; password: string }, name: string, dir: string) {
  const home = path.join(dir, `${name}-home`);
  const root = path.join(dir, `${name}-folder`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(root, { recursive: true });
  const sessions = new SqliteSessionStore(path.join(home, 'session.db'));
  const client = await PocketCloudClient.login(server, { ...account, deviceName: name }, sessions);
  const store = new SyncStore(path.join(home, 'sync.db'));
  const s = client.session;
  const engine = new SyncEngine({ client, store, root, ns: s.ns, deviceName: name });
  const mqttUrl = `${server.replace(/^http/, 'ws')}/mqtt`;
  const service = new SyncService({ engine, mqttUrl, intervalMs: 60_000, debounceMs: 20 });
  const connected = new Promise<void>((r) => service.once('pokes', () => r()));
  await service.start();
  await connected;
  return { root, service, close: async () => (await service.stop(), store.close(), sessions.close()) };
}

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const world = await startWorld({ store: 'fs' });
  const dir = await mkdtemp(path.join(tmpdir(), 'pc-propagation-'));
  try {
    const account = await world.server.api.register();
    const a = await device(world.server.url, account, 'A', dir);
    const b = await device(world.server.url, account, 'B', dir);
    const fileA = path.join(a.root, 'note.txt');
    const fileB = path.join(b.root, 'note.txt');
    const has = (text: string) => async () => (await readFile(fileB, 'utf8').catch(() => '')) === text;
    await writeFile(fileA, 'start');
    await until(has('start'), 30_000);
    const times: number[] = [];
    for (let i = 0; i < edits; i++) {
      const text = `edit ${i} ${Math.random().toString(36).slice(2)}`;
      const t0 = performance.now();
      await writeFile(fileA, text);
      await until(has(text), 30_000);
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, gapMs));
    }
    await a.close();
    await b.close();
    times.sort((x, y) => x - y);
    const mean = times.reduce((s, x) => s + x, 0) / times.length;
    printTable(`propagation: a small edit in folder A → the file updated in folder B (${edits} edits, loopback)`, [
      ['p50', `${pct(times, 50).toFixed(1)} ms`],
      ['p90', `${pct(times, 90).toFixed(1)} ms`],
      ['p99', `${pct(times, 99).toFixed(1)} ms`],
      ['max', `${times[times.length - 1]!.toFixed(1)} ms`],
      ['mean', `${mean.toFixed(1)} ms`],
      ['min', `${times[0]!.toFixed(1)} ms`],
      ['includes', 'watcher debounce 20 ms, scan + hash, check/upload block, batch commit, poke (coalesced), delta, download, temp + rename'],
    ]);
  } finally {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
