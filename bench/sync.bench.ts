/**
 * `npm run bench`: the sync core's figures, printed as a table (not asserted).
 *
 *   upload      new data through the API vs the same bytes straight into the blob store
 *   re-commit   an already-stored 1 GiB file: bytes sent and time, vs hashing alone
 *   download    throughput of a 1 GiB file
 *   delta       reading 100k journal entries through /v1/delta vs a raw driver cursor
 *   memory      server RSS while a 2 GiB file goes up and comes back down
 *
 * Options: --store fs|s3 (default fs), --upload-mib N (default 1024), --big-mib N (default 2048),
 * --delta N (default 100000).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { MongoClient } from 'mongodb';
import { mapLimit } from '../src/common/async.js';
import type { BlobStore } from '../src/infra/storage/blob-store.js';
import { FsBlobStore } from '../src/infra/storage/fs-blob-store.js';
import { S3BlobStore } from '../src/infra/storage/s3-blob-store.js';
import { entryId } from '../src/modules/journal/journal.repository.js';
import { BLOCK_SIZE, contentHashOfBlocks } from '../src/shared/content-hash.js';
import { uuidv7 } from '../src/shared/ids.js';
import type { ApiClient } from '../test/support/api-client.js';
import { fmtBytes, fmtDelta, MiB, printTable, sampleRss, rssOf, startWorld, timed } from './lib/harness.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const store = (args.get('store') ?? 'fs') as 'fs' | 's3';
const uploadMiB = Number(args.get('upload-mib') ?? 1024);
const bigMiB = Number(args.get('big-mib') ?? 2048);
const deltaN = Number(args.get('delta') ?? 100_000);
const PARALLEL = 4;

/** Deterministic pseudo-random block `i` of data set `seed` (AES-CTR keystream: fast, incompressible). */
function block(seed: number, i: number, size = BLOCK_SIZE): Buffer {
  const key = createHash('sha256').update(`bench-${seed}`).digest();
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(i, 0);
  return createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(size));
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Sent {
  bytes: number;
}

async function json(api: ApiClient, token: string, p: string, body: unknown, sent: Sent) {
  const text = JSON.stringify(body);
  sent.bytes += Buffer.byteLength(text);
  const res = await api.request('POST', p, { raw: text, token, headers: { 'content-type': 'application/json' } });
  if (res.status >= 300) throw new Error(`${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** What a device does: hash every block, ask what is missing, upload that, commit. */
async function putFile(api: ApiClient, token: string, seed: number, blocks: number, name: string, sent: Sent) {
  const hashes = Array.from({ length: blocks }, (_, i) => sha(block(seed, i)));
  const { missing } = await json(api, token, '/v1/blocks/check', { hashes }, sent);
  const need = new Set<string>(missing);
  await mapLimit(
    hashes.map((h, i) => [h, i] as const).filter(([h]) => need.has(h)),
    PARALLEL,
    async ([h, i]) => {
      const bytes = block(seed, i);
      sent.bytes += bytes.length;
      const res = await api.request('PUT', `/v1/blocks/${h}`, { raw: bytes, token, headers: { 'content-type': 'application/octet-stream' } });
      if (res.status >= 300) throw new Error(`PUT block: ${res.status} ${JSON.stringify(res.body)}`);
    },
  );
  const latest = await api.get('/v1/delta/latest', token);
  return json(api, token, '/v1/files/commit', { path: `/${name}`, blocks: hashes, size: blocks * BLOCK_SIZE, baseCursor: latest.body.cursor }, sent);
}

async function download(url: string, token: string): Promise<number> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok || !res.body) throw new Error(`download: ${res.status}`);
  let n = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

async function main(): Promise<void> {
  process.stdout.write(`pocketCloud sync benchmark — store=${store}, ${uploadMiB} MiB upload, ${bigMiB} MiB memory run, ${deltaN} delta entries\n`);
  const world = await startWorld({ store });
  const { api } = world.server;
  const session = await api.register();
  const token = session.tokens.accessToken;
  const blocks = Math.round(uploadMiB / 4);
  const bytes = blocks * BLOCK_SIZE;
  const rows: [string, string][] = [];

  // 1. New data through the API vs straight into a blob store of the same kind.
  const up = await timed(() => putFile(api, token, 1, blocks, 'one.bin', { bytes: 0 }));
  const directDir = await mkdtemp(path.join(tmpdir(), 'pocketcloud-bench-direct-'));
  const direct: BlobStore =
    store === 'fs'
      ? new FsBlobStore(directDir)
      : new S3BlobStore({
          endpoint: world.s3!.endpoint,
          region: 'us-east-1',
          bucket: 'bench-direct',
          credentials: { accessKeyId: world.s3!.accessKeyId, secretAccessKey: world.s3!.secretAccessKey },
          forcePathStyle: true,
          prefix: '',
          createBucket: true,
        });
  await direct.init();
  const straight = await timed(() =>
    mapLimit(
      Array.from({ length: blocks }, (_, i) => i),
      PARALLEL,
      async (i) => {
        const b = block(1, i);
        const h = sha(b);
        await direct.put(h, Readable.from([b]), { sha256: h, size: b.length });
      },
    ),
  );
  await rm(directDir, { recursive: true, force: true });
  const mbps = (ms: number) => `${((bytes / MiB) / (ms / 1000)).toFixed(0)} MiB/s`;
  rows.push([`upload ${fmtBytes(bytes)} via API (hash+check+PUT+commit)`, `${(up.ms / 1000).toFixed(2)} s  ${mbps(up.ms)}`]);
  rows.push([`same bytes straight to the ${store} store (hash+put)`, `${(straight.ms / 1000).toFixed(2)} s  ${mbps(straight.ms)}`]);
  rows.push(['  API / direct', `${(up.ms / straight.ms).toFixed(2)}×`]);

  // 2. Re-commit of the stored file under another name: only hashes travel.
  const hashOnly = await timed(() => {
    const hs: string[] = [];
    for (let i = 0; i < blocks; i++) hs.push(sha(block(1, i)));
    return Promise.resolve(contentHashOfBlocks(hs));
  });
  const sent: Sent = { bytes: 0 };
  const again = await timed(() => putFile(api, token, 1, blocks, 'one-again.bin', sent));
  rows.push([`re-commit of the stored ${fmtBytes(bytes)} file: bytes sent`, `${fmtBytes(sent.bytes)} (${((sent.bytes / bytes) * 100).toFixed(3)} % of the file)`]);
  rows.push(['  time, vs hashing alone', `${(again.ms / 1000).toFixed(2)} s vs ${(hashOnly.ms / 1000).toFixed(2)} s (${(again.ms / hashOnly.ms).toFixed(2)}×)`]);

  // 3. Download throughput.
  const id = (again.value as { entry: { id: string } }).entry.id;
  const dl = await timed(() => download(`${world.server.url}/v1/files/content?id=${id}`, token));
  if (dl.value !== bytes) throw new Error(`downloaded ${dl.value} bytes, expected ${bytes}`);
  rows.push([`download ${fmtBytes(bytes)}`, `${(dl.ms / 1000).toFixed(2)} s  ${mbps(dl.ms)}`]);

  // 4. Memory: a big file up and down, server RSS sampled every 50 ms.
  const pid = world.server.pid!;
  const baseline = rssOf(pid);
  const upSampler = sampleRss(pid);
  const bigBlocks = Math.round(bigMiB / 4);
  const big = await putFile(api, token, 2, bigBlocks, 'big.bin', { bytes: 0 });
  const upPeak = upSampler.stop();
  const downSampler = sampleRss(pid);
  await download(`${world.server.url}/v1/files/content?id=${(big as { entry: { id: string } }).entry.id}`, token);
  const downPeak = downSampler.stop();
  rows.push(['server RSS before the big transfer', fmtBytes(baseline)]);
  rows.push([`  peak while uploading ${fmtBytes(bigBlocks * BLOCK_SIZE)}`, `${fmtBytes(upPeak)} (${fmtDelta(upPeak - baseline)})`]);
  rows.push([`  peak while downloading it`, `${fmtBytes(downPeak)} (${fmtDelta(downPeak - baseline)})`]);

  // 5. Delta read of many entries vs a raw driver cursor over the same collection.
  const reader = await api.register();
  const ns = reader.user.rootNamespaceId;
  const client = new MongoClient(world.db.uri);
  await client.connect();
  const journal = client.db('bench').collection('journal');
  const at = new Date();
  for (let start = 1; start <= deltaN; start += 1000) {
    const docs = [];
    for (let seq = start; seq < Math.min(start + 1000, deltaN + 1); seq++) {
      const nodeId = uuidv7();
      docs.push({
        _id: entryId(ns, seq) as unknown as never,
        ns, seq, at, userId: ns, deviceId: reader.deviceId, kind: 'folder.create', opKey: null, opHash: null,
        changes: [{
          id: nodeId, parentId: ns, name: `d${seq}`, path: `/d${seq}`, kind: 'folder', size: 0, contentHash: null, blocks: [],
          mtime: null, deleted: false, deletedAt: null, trashRootId: null, rev: seq, createdSeq: seq, contentSeq: seq,
          contentDev: reader.deviceId, locationSeq: seq, locationDev: reader.deviceId, deletedSeq: 0, deletedDev: null,
        }],
        changeCount: 1, pagesId: null, pageCount: 0, usage: 0,
      });
    }
    await journal.insertMany(docs);
  }
  await client.db('bench').collection('journal_heads').insertOne({ _id: ns as unknown as never, seq: deltaN });
  // From the start (no cursor), as a new device does. These entries were inserted behind the
  // server's back, so the first read point-reads them and seals their chunks on the way (a
  // writer seals its own as it goes); the second read is what every later reader gets.
  const readAll = () =>
    timed(async () => {
      let cursor: string | null = null;
      let n = 0;
      for (;;) {
        const res: { status: number; body: any } = await api.get(`/v1/delta?limit=10000${cursor ? `&cursor=${cursor}` : ''}`, reader.tokens.accessToken);
        if (res.status !== 200) throw new Error(`delta: ${res.status} ${JSON.stringify(res.body)}`);
        n += res.body.entries.length;
        cursor = res.body.cursor;
        if (!res.body.hasMore) return n;
      }
    });
  const firstRead = await readAll();
  const viaApi = await readAll();
  const raw = await timed(async () => {
    let n = 0;
    for await (const _ of journal.find({ ns })) n++;
    return n;
  });
  await client.close();
  if (firstRead.value !== deltaN || viaApi.value !== deltaN || raw.value !== deltaN) throw new Error(`read ${viaApi.value} / ${raw.value} of ${deltaN}`);
  rows.push([`first delta read of ${deltaN} entries, sealing their chunks (pages of 10k)`, `${(firstRead.ms / 1000).toFixed(2)} s  (${Math.round(deltaN / (firstRead.ms / 1000))} entries/s)`]);
  rows.push([`delta read of ${deltaN} entries via /v1/delta (pages of 10k)`, `${(viaApi.ms / 1000).toFixed(2)} s  (${Math.round(deltaN / (viaApi.ms / 1000))} entries/s)`]);
  rows.push(['  raw driver cursor over the same collection', `${(raw.ms / 1000).toFixed(2)} s  (${Math.round(deltaN / (raw.ms / 1000))} entries/s)`]);
  rows.push(['  API / raw', `${(viaApi.ms / raw.ms).toFixed(2)}×`]);

  printTable(`sync core (${store} store, FerretDB, loopback, ${PARALLEL} parallel block transfers)`, rows);
  await world.close();
}

main().catch((err: unknown) => {
  const cause = (err as Error).cause;
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n${cause instanceof Error ? (cause.stack ?? cause.message) : ''}\n`);
  process.exit(1);
});
