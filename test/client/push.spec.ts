import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PocketCloudClient } from '../../client/src/sdk/client.js';
import { NetworkError } from '../../client/src/sdk/errors.js';
import type { BatchOp, BatchOptions, BatchResultItem } from '../../client/src/sdk/types.js';
import { SyncStore } from '../../client/src/state/store.js';
import { PushInterrupted, SyncEngine } from '../../client/src/sync/engine.js';
import { contentOf, knownNode, ROOT } from './helpers.js';

/** The push against a fake /v1/batch that answers like the server with stopOnError. */
let dir: string;
let store: SyncStore;
let engine: SyncEngine;
/** Per call: what each op gets, by position (ops past the script succeed). */
let script: (string | number)[][] = [];
const calls: { ops: BatchOp[]; opts: BatchOptions }[] = [];

/** Blocks the fake server holds, and the checks and uploads it was asked for. */
const held = new Set<string>();
const blockCalls: { checks: number; puts: string[] } = { checks: 0, puts: [] };
/** What happened, in order (uploads and batches), and how long the fake batch takes to answer. */
const events: string[] = [];
let batchMs = 0;

const fakeClient = {
  checkBlocks: (hashes: string[]) => {
    blockCalls.checks++;
    return Promise.resolve(hashes.filter((h) => !held.has(h)));
  },
  putBlockPack: (blocks: { hash: string; data: Uint8Array }[]) => {
    for (const { hash } of blocks) {
      blockCalls.puts.push(hash);
      events.push(`put ${hash}`);
      held.add(hash);
    }
    return Promise.resolve(blocks.map((b) => ({ hash: b.hash, size: b.data.length, created: true })));
  },
  batch: async (ops: BatchOp[], opts: BatchOptions = {}): Promise<BatchResultItem[]> => {
    const plan = script.shift() ?? [];
    calls.push({ ops, opts });
    const names = ops.map((o) => o.opId).join(',');
    events.push(`batch ${names}`);
    if (batchMs > 0) await new Promise((r) => setTimeout(r, batchMs));
    events.push(`answered ${names}`);
    if (plan[0] === 'lost') throw new NetworkError('the answer was lost');
    let failed = false;
    return await Promise.resolve(
      ops.map((op, i): BatchResultItem => {
        if (failed && opts.stopOnError) return { status: 424, opId: op.opId ?? null, error: { code: 'SKIPPED', message: 'skipped' } };
        const want = plan[i] ?? 201;
        if (want === 201) return { status: 201, opId: op.opId ?? null, result: { entry: {} as never, seq: 1, conflicts: [] } };
        failed = true;
        const [status, code] = typeof want === 'number' ? [want, `HTTP_${want}`] : [Number(want.split(' ')[0]), want.split(' ')[1]!];
        return { status, opId: op.opId ?? null, error: { code, message: code } };
      }),
    );
  },
} as unknown as PocketCloudClient;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pc-push-'));
  store = new SyncStore(path.join(dir, 'sync.db'));
  engine = new SyncEngine({ client: fakeClient, store, root: dir, deviceName: 'pc', ns: ROOT });
  script = [];
  calls.length = 0;
  held.clear();
  blockCalls.checks = 0;
  blockCalls.puts = [];
  events.length = 0;
  batchMs = 0;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function queue(...names: string[]): void {
  for (const name of names) store.enqueue({ opId: `op-${name}`, nodeId: name, type: 'createFolder', body: { id: name, parentId: ROOT, name }, baseCursor: 'c0' });
}
const queued = () => store.ops().map((o) => ({ opId: o.opId, sent: o.sent, attempts: o.attempts, body: o.body, baseCursor: o.baseCursor }));

describe('pushing the queue with stopOnError', () => {
  it('sends every batch with stopOnError', async () => {
    queue('a', 'b');
    expect(await engine.push()).toMatchObject({ pushed: 2, dropped: 0 });
    expect(calls.map((c) => c.opts)).toEqual([{ stopOnError: true }]);
    expect(store.queueLength()).toBe(0);
  });

  it('a per-op 503 (BUSY) stops the push: applied ops leave the queue, the failed one and the skipped ones stay as they were', async () => {
    queue('a', 'b', 'c', 'd');
    const before = queued();
    script = [[201, '503 BUSY']];
    await expect(engine.push()).rejects.toBeInstanceOf(PushInterrupted);
    expect(queued()).toEqual([
      { ...before[1]!, sent: true, attempts: 1 }, // sent: its payload is fixed from now on
      before[2], // skipped: untouched, still unsent
      before[3],
    ]);
    // Later: everything goes out again in order, with the same op ids.
    expect(await engine.push()).toMatchObject({ pushed: 3, dropped: 0 });
    expect(calls[1]!.ops.map((o) => o.opId)).toEqual(['op-b', 'op-c', 'op-d']);
    expect(store.queueLength()).toBe(0);
  });

  it('a skipped op that had gone out before keeps its sent mark (the lost answer may have applied it)', async () => {
    queue('a', 'b');
    script = [['503 BUSY']];
    await expect(engine.push()).rejects.toBeInstanceOf(PushInterrupted);
    expect(queued().map((o) => [o.opId, o.sent, o.attempts])).toEqual([
      ['op-a', true, 1],
      ['op-b', false, 0],
    ]);
    script = [['lost']]; // both go out, the answer never comes back
    await expect(engine.push()).rejects.toBeInstanceOf(PushInterrupted);
    script = [['503 BUSY']];
    await expect(engine.push()).rejects.toBeInstanceOf(PushInterrupted);
    expect(queued().map((o) => [o.opId, o.sent, o.attempts])).toEqual([
      ['op-a', true, 3],
      ['op-b', true, 1],
    ]);
  });

  it('a refusal for good is recorded and dropped, a relist is due, and the ops it held back go out next round', async () => {
    queue('a', 'b', 'c');
    script = [[201, '409 NAME_TAKEN']];
    expect(await engine.push()).toMatchObject({ pushed: 2, dropped: 1 });
    expect(store.failures().map((f) => [f.opId, f.code])).toEqual([['op-b', 'NAME_TAKEN']]);
    expect(store.getMeta('resync')).toBe('1');
    expect(calls.map((c) => c.ops.map((o) => o.opId))).toEqual([['op-a', 'op-b', 'op-c'], ['op-c']]);
    expect(store.queueLength()).toBe(0);
  });

  it('BLOCKS_MISSING pauses the push a few times before the op counts as refused', async () => {
    queue('a', 'b');
    for (let i = 0; i < 3; i++) {
      script = [['400 BLOCKS_MISSING']];
      await expect(engine.push()).rejects.toThrow(/paused/);
    }
    script = [['400 BLOCKS_MISSING']];
    expect(await engine.push()).toMatchObject({ pushed: 1, dropped: 1 });
    expect(store.failures().map((f) => f.code)).toEqual(['BLOCKS_MISSING']);
  });

  it('an answer without a result for an op keeps it queued (nothing is dropped without a refusal)', async () => {
    queue('a', 'b');
    const short = { batch: (ops: BatchOp[]) => Promise.resolve([{ status: 201, opId: ops[0]!.opId ?? null, result: { entry: {}, seq: 1, conflicts: [] } }]) };
    const e = new SyncEngine({ client: short as unknown as PocketCloudClient, store, root: dir, deviceName: 'pc', ns: ROOT });
    await expect(e.push()).rejects.toBeInstanceOf(PushInterrupted);
    expect(queued().map((o) => o.opId)).toEqual(['op-b']);
    expect(store.failures()).toEqual([]);
  });

  it("uploads the next batch's blocks while a batch commits, and does not upload them again", async () => {
    engine = new SyncEngine({ client: fakeClient, store, root: dir, deviceName: 'pc', ns: ROOT, batchSize: 1 });
    batchMs = 30;
    const block: Record<string, string> = {};
    for (const name of ['a', 'b', 'c']) {
      writeFileSync(path.join(dir, name), `bytes of ${name}`);
      const c = contentOf(`bytes of ${name}`);
      block[name] = c.blocks[0]!;
      store.putNode(knownNode({ id: name, name, contentHash: c.contentHash, known: false }));
      store.enqueue({ opId: `op-${name}`, nodeId: name, type: 'createFile', body: { id: name, parentId: ROOT, name, blocks: c.blocks, size: c.size, mtime: new Date(0).toISOString() }, baseCursor: 'c0' });
    }
    expect(await engine.push()).toMatchObject({ pushed: 3, dropped: 0 });
    expect(events).toEqual([
      `put ${block.a}`,
      'batch op-a',
      `put ${block.b}`, // while op-a commits
      'answered op-a',
      'batch op-b',
      `put ${block.c}`,
      'answered op-b',
      'batch op-c',
      'answered op-c',
    ]);
  });

  it("a batch's commits share one block check; the batch ends before a file that changed since the scan, which is scanned again", async () => {
    for (const name of ['a', 'b', 'c']) {
      writeFileSync(path.join(dir, name), `bytes of ${name}`);
      const c = contentOf(`bytes of ${name}`);
      store.putNode(knownNode({ id: name, name, contentHash: c.contentHash, known: false }));
      store.enqueue({ opId: `op-${name}`, nodeId: name, type: 'createFile', body: { id: name, parentId: ROOT, name, blocks: c.blocks, size: c.size, mtime: new Date(0).toISOString() }, baseCursor: 'c0' });
    }
    writeFileSync(path.join(dir, 'b'), 'edited after the scan');
    expect(await engine.push()).toMatchObject({ pushed: 1, dropped: 0 });
    expect(engine.rescanWanted).toBe(true);
    expect(blockCalls.checks).toBe(1);
    expect(calls.map((c) => c.ops.map((o) => o.opId))).toEqual([['op-a']]);
    expect(blockCalls.puts).toContain(contentOf('bytes of a').blocks[0]);
    expect(queued().map((o) => [o.opId, o.sent])).toEqual([
      ['op-b', false],
      ['op-c', false],
    ]);
  });
});
