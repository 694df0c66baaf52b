/**
 * `npm run bench:scale`: what everyday operations cost as the server fills up.
 *
 * Builds worlds of growing size through the API (batches of 1,000 operations from several
 * accounts at once), and at each size times one user's everyday operations: list a 10-entry
 * folder, page through a large folder, metadata by path and by id, trash, revisions, conflicts,
 * devices, the block-download check, delete + restore and move of a folder with its child.
 * Prints p50/p99 per size and the ratio to the smallest, the batch throughput, and the server's
 * memory.
 *
 * At each size also a batch of 1,000 commits of small files (blocks uploaded first, in one pack).
 *
 * Then `pocketcloud sync --once` of a new folder of --import-files small files (default 50,000),
 * end to end (hashing, block upload, commits), and a second device's first sync of that tree.
 *
 * Last, background work at the largest size: the accounts trash part of their trees (timed), the server
 * restarts 91 days later (its clock shifted, bench/lib/time-shift.ts), and purge, then garbage
 * collection, run through the admin API while the measured user's everyday operations are timed;
 * their p50/p99 idle and during each job, and each job's duration.
 *
 * Options: --sizes 1000,100000,1000000 (nodes on the server; the measured user holds a tenth),
 * --store fs|s3, --runs N (timed repetitions per operation, default 40), --import-files N,
 * --background 0 to leave out the last part.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { decodeCursor, encodeCursor } from '../src/domain/cursor.js';
import { encodePack, PACK_CONTENT_TYPE } from '../src/shared/block-pack.js';
import type { ApiClient } from '../test/support/api-client.js';
import { fillFolders, ok, postBatch } from '../test/support/prefill.js';
import { ServerProcess } from '../test/support/server-process.js';
import { fmtBytes, printTable, rssOf, startWorld, timed, type BenchWorld } from './lib/harness.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const sizes = (args.get('sizes') ?? '1000,100000,1000000').split(',').map(Number);
const store = (args.get('store') ?? 'fs') as 'fs' | 's3';
const runs = Number(args.get('runs') ?? 40);
const importFiles = Number(args.get('import-files') ?? 50_000);
const background = args.get('background') !== '0';
const PASSWORD = 'correct horse battery staple';
const DAY_MS = 86_400_000;
const BATCH = 1000;
const BIN = path.join(process.cwd(), 'bin', 'pocketcloud.js');

/** `pocketcloud --home <home> --json <args>`, to completion. */
async function cli(home: string, cliArgs: string[], password: string): Promise<void> {
  await promisify(execFile)(process.execPath, [BIN, '--home', home, '--json', ...cliArgs], {
    env: { ...process.env, POCKETCLOUD_PASSWORD: password },
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** A new folder of `n` small files in folders of 100, then sync --once on one device and a first sync on another. */
async function cliImport(url: string, api: ApiClient, n: number): Promise<{ rows: [string, string][]; account: User }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pocketcloud-import-'));
  try {
    const password = PASSWORD;
    const email = `import-${randomBytes(4).toString('hex')}@bench.example`;
    const session = await api.register(email, password);
    const src = path.join(dir, 'camera');
    for (let i = 0; i < n; i += 100) {
      const folder = path.join(src, `DCIM-${i / 100}`);
      await mkdir(folder, { recursive: true });
      for (let j = i; j < Math.min(n, i + 100); j++) await writeFile(path.join(folder, `IMG_${j}.jpg`), randomBytes(2000 + (j % 1000)));
    }
    for (const d of ['a', 'b']) await cli(path.join(dir, `home-${d}`), ['login', '--server', url, '--email', email, '--device-name', d], password);
    const first = await timed(() => cli(path.join(dir, 'home-a'), ['sync', src, '--once'], password));
    const copy = path.join(dir, 'copy');
    await mkdir(copy);
    const second = await timed(() => cli(path.join(dir, 'home-b'), ['sync', copy, '--once'], password));
    const latest = await ok(api.get('/v1/delta/latest', session.tokens.accessToken));
    return {
      rows: [
        [`pocketcloud sync --once of a new folder of ${n.toLocaleString('en')} small files`, `${(first.ms / 1000).toFixed(1)} s, ${Math.round(n / (first.ms / 1000))} files/s`],
        [`a new device's first sync --once of that tree (download included)`, `${(second.ms / 1000).toFixed(1)} s`],
      ],
      account: { token: session.tokens.accessToken, root: session.user.id, cursor: latest.cursor, email },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const OTHERS = 9;

interface User {
  token: string;
  root: string;
  cursor: string;
  email: string;
}

async function account(api: ApiClient, label: string): Promise<User> {
  const email = `${label}-${randomBytes(4).toString('hex')}@bench.example`;
  const s = await api.register(email, PASSWORD);
  const latest = await api.get('/v1/delta/latest', s.tokens.accessToken);
  return { token: s.tokens.accessToken, root: s.user.id, cursor: latest.body.cursor, email };
}


/** Adds `n` folders to the user's tree, BATCH per request. */
async function fill(api: ApiClient, u: User, n: number, label: string): Promise<{ ms: number }> {
  return timed(() => fillFolders(api, u, n, label, BATCH));
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** `n` new small files in a new folder `name` of the root: their blocks in one pack, then one batch of commits, timed. */
async function commitBatch(api: ApiClient, u: User, name: string, n: number): Promise<{ ms: number }> {
  const folder = await ok(api.post('/v1/folders', { parentId: u.root, name, baseCursor: u.cursor }, u.token));
  const blocks = Array.from({ length: n }, (_, i) => {
    const data = randomBytes(2000 + (i % 1000));
    return { hash: createHash('sha256').update(data).digest('hex'), data };
  });
  await ok(api.request('POST', '/v1/blocks/pack', { raw: encodePack(blocks), token: u.token, headers: { 'content-type': PACK_CONTENT_TYPE } }));
  const ops = blocks.map((b, i) => ({ type: 'commit', parentId: folder.entry.id, name: `IMG_${i}.jpg`, blocks: [b.hash], size: b.data.length, baseCursor: u.cursor }));
  return timed(() => postBatch(api, u.token, ops));
}

/** Moves to the trash whichever of `paths` exist in the account. */
async function trashPaths(api: ApiClient, u: User, paths: string[]): Promise<void> {
  for (const p of paths) {
    const res = await api.get(`/v1/files/metadata?path=${encodeURIComponent(p)}`, u.token);
    if (res.status === 404) continue;
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    await ok(api.post('/v1/files/delete', { id: res.body.id, baseCursor: u.cursor }, u.token));
  }
}

async function sample(fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await fn(); // warm
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await timed(fn)).ms);
  return { p50: pct(ms, 50), p99: pct(ms, 99) };
}

async function main(): Promise<void> {
  process.stdout.write(`pocketCloud scale benchmark — store=${store}, sizes ${sizes.join(' / ')} nodes, ${runs} runs per operation\n`);
  // Every account's tree stays in memory (1.3 KiB a node: ~1.3 GiB at a million nodes).
  const world = await startWorld({ store, extraEnv: { DEFAULT_QUOTA_BYTES: '0', TREE_MODEL_MAX_NODES: String(Math.max(...sizes) * 2) } });
  const { api } = world.server;
  try {
    const me = await account(api, 'me');
    const others = await Promise.all(Array.from({ length: OTHERS }, (_, i) => account(api, `other${i}`)));
    // The measured user's fixed corner: a 10-entry folder, a file with versions, a folder to move.
    const small = await ok(api.post('/v1/folders', { path: '/small', baseCursor: me.cursor }, me.token));
    for (let i = 0; i < 10; i++) await ok(api.post('/v1/folders', { parentId: small.entry.id, name: `e${i}`, baseCursor: me.cursor }, me.token));
    const block = randomBytes(1000);
    const hash = createHash('sha256').update(block).digest('hex');
    await ok(api.request('PUT', `/v1/blocks/${hash}`, { raw: block, token: me.token, headers: { 'content-type': 'application/octet-stream' } }));
    let file = await ok(api.post('/v1/files/commit', { path: '/small/e0/doc.txt', blocks: [hash], size: 1000, baseCursor: me.cursor }, me.token));
    for (let i = 0; i < 3; i++) file = await ok(api.post('/v1/files/commit', { id: file.entry.id, path: '/small/e0/doc.txt', blocks: [hash], size: 1000, mtime: new Date(i * 1000).toISOString(), baseCursor: me.cursor }, me.token));
    const movable = await ok(api.post('/v1/folders', { path: '/movable', baseCursor: me.cursor }, me.token));
    await ok(api.post('/v1/folders', { parentId: movable.entry.id, name: 'child', baseCursor: me.cursor }, me.token));
    const target = await ok(api.post('/v1/folders', { path: '/target', baseCursor: me.cursor }, me.token));
    const trashed = await ok(api.post('/v1/folders', { path: '/trashed', baseCursor: me.cursor }, me.token));
    await ok(api.post('/v1/files/delete', { id: trashed.entry.id, baseCursor: me.cursor }, me.token));
    const bigFolder = await ok(api.post('/v1/folders', { path: '/big', baseCursor: me.cursor }, me.token));

    const results = new Map<string, { p50: number; p99: number }[]>();
    const record = (name: string, r: { p50: number; p99: number }) => results.set(name, [...(results.get(name) ?? []), r]);
    const throughput: [string, string][] = [];
    const commitFolders: string[] = [];
    let held = 30; // nodes made above
    let mine = held;
    for (const size of sizes) {
      // Grow to `size`: a tenth in the measured user's namespace (half of it in /big), the rest spread over the others.
      const wantMine = Math.max(0, Math.floor(size / 10) - mine);
      const wantOthers = Math.max(0, size - held - wantMine);
      const t = await timed(async () => {
        await Promise.all([
          (async () => {
            await fill(api, me, wantMine, `mine${size}`);
          })(),
          Promise.all(others.map((o, i) => fill(api, o, Math.floor(wantOthers / OTHERS), `o${i}-${size}`))),
        ]);
      });
      const made = wantMine + Math.floor(wantOthers / OTHERS) * OTHERS;
      held += made;
      mine += wantMine;
      if (made > 0) throughput.push([`grow to ${held.toLocaleString('en')} nodes (+${made.toLocaleString('en')}, batches of ${BATCH}, ${OTHERS + 1} accounts at once)`, `${(t.ms / 1000).toFixed(1)} s, ${Math.round(made / (t.ms / 1000)).toLocaleString('en')} ops/s`]);
      const bigPage = await ok(api.get(`/v1/files/list?id=${bigFolder.entry.id}&limit=100`, me.token));

      record('list a 10-entry folder', await sample(() => ok(api.get(`/v1/files/list?id=${small.entry.id}`, me.token))));
      record('list the root, page 1 of 100', await sample(() => ok(api.get(`/v1/files/list?id=${me.root}&limit=100`, me.token))));
      record('metadata by path', await sample(() => ok(api.get('/v1/files/metadata?path=/small/e0/doc.txt', me.token))));
      record('metadata by id', await sample(() => ok(api.get(`/v1/files/metadata?id=${file.entry.id}`, me.token))));
      record('trash', await sample(() => ok(api.get('/v1/trash', me.token))));
      record('revisions of a file', await sample(() => ok(api.get(`/v1/files/revisions?id=${file.entry.id}`, me.token))));
      record('conflicts', await sample(() => ok(api.get('/v1/conflicts', me.token))));
      record('devices', await sample(() => ok(api.get('/v1/devices', me.token))));
      record('block download check', await sample(() => ok(api.get(`/v1/blocks/${hash}`, me.token))));
      record('delete + restore a folder with a child', await sample(async () => {
        await ok(api.post('/v1/files/delete', { id: movable.entry.id, baseCursor: me.cursor }, me.token));
        await ok(api.post('/v1/files/restore', { id: movable.entry.id, baseCursor: me.cursor }, me.token));
      }));
      let flip = false;
      record('move a folder with a child', await sample(() => {
        flip = !flip;
        return ok(api.post('/v1/files/move', { id: movable.entry.id, parentId: flip ? target.entry.id : me.root, name: 'movable', baseCursor: me.cursor }, me.token));
      }));
      record('commit a new version of a small file', await sample(() =>
        ok(api.post('/v1/files/commit', { id: file.entry.id, path: '/small/e0/doc.txt', blocks: [hash], size: 1000, mtime: new Date().toISOString(), baseCursor: me.cursor }, me.token)),
      ));
      void bigPage;
      // A new device's catch-up of the metadata, as the engine does it: the head cursor, then the whole tree, paged.
      const relist = await timed(async () => {
        await ok(api.get('/v1/delta/latest', me.token));
        let nodes = 0;
        let cursor: string | null = null;
        do {
          const q: string = cursor ? `/v1/files/list?cursor=${encodeURIComponent(cursor)}&limit=2000` : `/v1/files/list?id=${me.root}&recursive=true&limit=2000`;
          const page = await ok(api.get(q, me.token));
          nodes += page.entries.length;
          cursor = page.hasMore ? page.cursor : null;
        } while (cursor);
        return nodes;
      });
      throughput.push([
        `a new device relists the measured user's tree (${relist.value.toLocaleString('en')} nodes, pages of 2,000 as the SDK reads them)`,
        `${(relist.ms / 1000).toFixed(2)} s, ${Math.round(relist.value / (relist.ms / 1000)).toLocaleString('en')} nodes/s`,
      ]);
      // A device a day behind: the measured user's last 10,000 journal entries through /v1/delta.
      const head = decodeCursor((await ok(api.get('/v1/delta/latest', me.token))).cursor)!;
      const behind = Math.min(head.seq, 10_000);
      const catchUp = await timed(async () => {
        let cursor = encodeCursor({ ns: head.ns, seq: head.seq - behind, skip: 0 });
        let entries = 0;
        for (;;) {
          const page = await ok(api.get(`/v1/delta?cursor=${cursor}&limit=5000`, me.token));
          entries += page.entries.length;
          cursor = page.cursor;
          if (!page.hasMore) return entries;
        }
      });
      throughput.push([
        `a device ${behind.toLocaleString('en')} entries behind reads them via /v1/delta (${catchUp.value.toLocaleString('en')} entries, pages of 5,000)`,
        `${(catchUp.ms / 1000).toFixed(2)} s, ${Math.round(catchUp.value / (catchUp.ms / 1000)).toLocaleString('en')} entries/s`,
      ]);
      const commits = await commitBatch(api, me, `commits-${size}`, BATCH);
      commitFolders.push(`/commits-${size}`);
      held += BATCH + 1;
      mine += BATCH + 1;
      throughput.push([`a batch of ${BATCH.toLocaleString('en')} commits of new small files (blocks uploaded before, in a pack), at ${held.toLocaleString('en')} nodes`, `${(commits.ms / 1000).toFixed(2)} s, ${Math.round(BATCH / (commits.ms / 1000)).toLocaleString('en')} ops/s`]);
      throughput.push([`server RSS at ${held.toLocaleString('en')} nodes`, fmtBytes(rssOf(world.server.pid!))]);
    }

    let imported: User | undefined;
    if (importFiles > 0) {
      const r = await cliImport(world.server.url, api, importFiles);
      throughput.push(...r.rows);
      imported = r.account;
    }
    const jobs = background ? await backgroundWork(world, { me, others, imported, commitFolders, size: sizes.at(-1)!, file: file.entry.id, hash, small: small.entry.id }) : [];

    const header = sizes.map((s) => s.toLocaleString('en'));
    process.stdout.write(`\nEveryday operations, p50 / p99 in ms, by nodes on the server (${runs} runs each)\n`);
    process.stdout.write(`| operation | ${header.join(' | ')} | ratio ${header.at(-1)} / ${header[0]} (p50) |\n|---|${header.map(() => '---|').join('')}---|\n`);
    for (const [name, rs] of results) {
      const cells = rs.map((r) => `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`);
      process.stdout.write(`| ${name} | ${cells.join(' | ')} | ${(rs.at(-1)!.p50 / rs[0]!.p50).toFixed(2)}× |\n`);
    }
    printTable('Throughput and memory', throughput);
    if (jobs.length > 0) printTable(`Background work at ${held.toLocaleString('en')} nodes, the server 91 days later (foreground: list a 10-entry folder, metadata by path, commit a small file, in turn)`, jobs);
  } catch (err) {
    // What the server logged is what explains a failed request.
    for (const line of world.server.errors().slice(-20)) process.stderr.write(`server: ${line}\n`);
    throw err;
  } finally {
    await world.close();
  }
}

interface Accounts {
  me: User;
  others: User[];
  imported: User | undefined;
  commitFolders: string[];
  /** The label of the last fill: its folders are trashed. */
  size: number;
  file: string;
  /** The block of `file`'s content. */
  hash: string;
  small: string;
}

/**
 * Purge and garbage collection at the largest size, while the measured user works: every account
 * trashes part of its tree (one fill folder each; the measured user also its committed files;
 * the importer half its photos), the server restarts with its clock 91 days on, and each job runs
 * through the admin API while everyday operations are timed against the same operations idle.
 */
async function backgroundWork(world: BenchWorld, a: Accounts): Promise<[string, string][]> {
  const { api } = world.server;
  // One fill folder (up to 1,000 nodes) per account, the measured user's committed files, half the photos.
  const trashed = await timed(async () => {
    await trashPaths(api, a.me, [...a.commitFolders, `/mine${a.size}-0`]);
    await Promise.all(a.others.map((o, i) => trashPaths(api, o, [`/o${i}-${a.size}-0`])));
    if (a.imported) {
      const root = await ok(api.get(`/v1/files/list?id=${a.imported.root}&limit=1000`, a.imported.token));
      const photos = (root.entries as { name: string }[]).map((e) => `/${e.name}`).filter((p) => p.startsWith('/DCIM-'));
      await trashPaths(api, a.imported, photos.slice(0, Math.ceil(photos.length / 2)));
    }
  });

  await world.server.stop();
  const shift = fileURLToPath(new URL('./lib/time-shift.js', import.meta.url));
  const later = new ServerProcess({
    ...world.env,
    NODE_OPTIONS: `--import=${shift}`,
    TIME_SHIFT_MS: String(91 * DAY_MS),
    ADMIN_EMAILS: a.me.email,
    RETENTION_INTERVAL_MINUTES: '0',
    GC_FENCE_SECONDS: '5',
  });
  process.once('exit', () => later.killNow());
  world.server = later;
  const t0 = performance.now();
  await later.start();
  const started = performance.now() - t0;
  const api2 = later.api;
  const token = (await api2.login(a.me.email, PASSWORD, 'bench later')).tokens.accessToken;
  const first = await timed(() => ok(api2.get(`/v1/files/list?id=${a.small}`, token)));
  const model = (field: string) => Number(later.logged('tree model loaded', field));

  const ops = [
    () => ok(api2.get(`/v1/files/list?id=${a.small}`, token)),
    () => ok(api2.get('/v1/files/metadata?path=/small/e0/doc.txt', token)),
    () => ok(api2.post('/v1/files/commit', { id: a.file, path: '/small/e0/doc.txt', blocks: [a.hash], size: 1000, mtime: new Date().toISOString(), baseCursor: a.me.cursor }, token)),
  ];
  /** Everyday operations in turn: `count` of them, or while `job` runs. */
  const foreground = async (job: Promise<unknown> | null, count: number): Promise<number[]> => {
    let done = job === null;
    void job?.finally(() => (done = true));
    const ms: number[] = [];
    for (let i = 0; job === null ? i < count : !done; i++) ms.push((await timed(ops[i % ops.length]!)).ms);
    return ms;
  };
  /** p99 of each of `ops`, from samples taken in turn. */
  const byOp = (ms: number[]) => ops.map((_, k) => pct(ms.filter((_, i) => i % ops.length === k), 99).toFixed(0)).join(' / ');
  for (const op of ops) await op(); // warm
  // A p99 needs a few hundred samples: from runs × 3 (30) it would be the slowest one or two.
  const idle = await foreground(null, Math.max(runs * 3, 600));
  const rows: [string, string][] = [
    ['the accounts trash what the jobs will end (subtree deletes, one after another)', `${(trashed.ms / 1000).toFixed(1)} s`],
    ['a restart: the server starts', `${(started / 1000).toFixed(1)} s; the measured user's first listing after it ${first.ms.toFixed(0)} ms (its tree model of ${model('nodes')} nodes: snapshot ${model('ms').toFixed(0)} ms, then ${model('seq') - model('snapshotSeq')} entries folded in ${model('foldMs').toFixed(0)} ms)`],
    ['everyday operations, idle', `p50 ${pct(idle, 50).toFixed(1)} ms, p99 ${pct(idle, 99).toFixed(1)} ms (${idle.length} runs)`],
  ];
  for (const [name, route] of [
    ['purge (trash and versions past 90 days)', '/v1/admin/jobs/purge'],
    ['garbage collection (blocks nothing uses; fence 5 s)', '/v1/admin/jobs/gc'],
  ] as const) {
    const job = timed(() => ok(api2.post(route, {}, token)));
    const during = await foreground(job, 0);
    const { ms, value } = await job;
    rows.push([`${name}: the job`, `${(ms / 1000).toFixed(1)} s, ${JSON.stringify(value.report ?? value)}`]);
    rows.push([
      `${name}: everyday operations meanwhile`,
      `p50 ${pct(during, 50).toFixed(1)} ms, p99 ${pct(during, 99).toFixed(1)} ms (${during.length} runs) — p99 ${(pct(during, 99) / pct(idle, 99)).toFixed(2)}× idle; p99 list / metadata / commit ${byOp(during)} (idle ${byOp(idle)})`,
    ]);
  }
  rows.push([`server RSS after both`, fmtBytes(rssOf(later.pid!))]);
  return rows;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
