import { lstatSync } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { contentHashOfBlocks } from '../../../src/shared/content-hash.js';
import { mapLimit } from '../../../src/shared/async.js';
import { uuidv7 } from '../../../src/shared/ids.js';
import { nameKey } from '../../../src/shared/names.js';
import { hashFile, hashSmallFile, SMALL_FILE, uploadMissingBlocksOf } from '../sdk/blocks.js';
import type { PocketCloudClient } from '../sdk/client.js';
import { ApiError, isTransientStatus, NetworkError } from '../sdk/errors.js';
import type { BatchOp, ConflictRef, DeltaEntry } from '../sdk/types.js';
import type { LocalNode, QueuedCommit, QueuedOp, SyncStore } from '../state/store.js';
import { RemoteApplier, tempName, type RemoteState } from './apply.js';
import { walkFolder } from './fs-scan.js';
import { diffLocal, filesToHash, knownPaths, localOps, type Observed } from './local-diff.js';

/** Files hashed at once by a scan. */
const HASH_PARALLEL = 8;

export interface EngineHooks {
  /** Between the push and the pull (tests change the folder in that window). */
  afterPush?: () => Promise<void>;
  /** Before every change the engine makes to the folder (tests throw here to simulate a crash). */
  beforeFsStep?: (what: string) => void;
}

export interface EngineOptions {
  client: PocketCloudClient;
  store: SyncStore;
  /** The synced folder. */
  root: string;
  /** Used in the names of conflicted copies made on this device. */
  deviceName: string;
  /** The user's root namespace (the root folder's id). */
  ns: string;
  /** Operations per /v1/batch request (default 500; the server takes up to 1,000). */
  batchSize?: number;
  /** Block uploads in flight, across the files of a batch (default 8). */
  uploadParallel?: number;
  hooks?: EngineHooks;
  onProgress?: (p: { phase: 'upload' | 'download'; bytes: number }) => void;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface SyncReport {
  /** Operations the scan queued. */
  queued: number;
  /** Operations the server acknowledged. */
  pushed: number;
  /** Operations the server refused for good (recorded in failed_ops; a full resync follows). */
  dropped: number;
  /** Changes made to the folder from the delta. */
  applied: number;
  /** Local edits kept aside (conflicted copies) while applying remote changes. */
  localConflicts: number;
  /** Conflicts the server settled for this device's operations. */
  conflicts: ConflictRef[];
  /** Paths not synced (names the server refuses, links). */
  skipped: string[];
  cursor: string;
  queue: number;
}

/** The push had to stop (no answer, a server error): the queue is kept and retried later. */
export class PushInterrupted extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'PushInterrupted';
  }
}

/**
 * One device's sync engine. A cycle is scan → push → pull:
 *
 * 1. scan: compare the folder with the last-synced tree (SQLite), recognize renames and moves
 *    (inode, then path, then content hash), and queue the operations that reproduce the changes
 *    on the server — durably, in the same transaction that records the new local tree;
 * 2. push: upload missing blocks, send the queue in batches (each op with its base cursor and
 *    op id, so a retry is harmless); the server settles conflicts (docs/conflicts.md);
 * 3. pull: once the queue is empty, read the delta and apply it to the folder — which also
 *    brings the server's settlement of this device's own operations.
 *
 * The engine never overwrites or deletes bytes the server does not hold: see RemoteApplier.
 */
export class SyncEngine {
  private running: Promise<unknown> = Promise.resolve();
  private readonly log: (msg: string, fields?: Record<string, unknown>) => void;
  /** Set when the push found a file changed under it: scan again before pushing. */
  rescanWanted = false;

  constructor(readonly opts: EngineOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  get store(): SyncStore {
    return this.opts.store;
  }

  /** One full cycle, never two at once. */
  syncOnce(): Promise<SyncReport> {
    const run = this.running.then(() => this.cycle());
    this.running = run.catch(() => undefined);
    return run;
  }

  private async cycle(): Promise<SyncReport> {
    const report: SyncReport = { queued: 0, pushed: 0, dropped: 0, applied: 0, localConflicts: 0, conflicts: [], skipped: [], cursor: '', queue: 0 };
    const addApply = (r: { changes: number; localConflicts: number }): void => {
      report.applied += r.changes;
      report.localConflicts += r.localConflicts;
    };
    addApply(await this.resumePending());
    // First sync of this folder: take the server's tree first, adopting identical local files.
    if (this.store.cursor === '' && this.store.nodeCount() === 0 && this.store.queueLength() === 0) addApply(await this.pull());
    for (let i = 0; i < 3; i++) {
      this.rescanWanted = false;
      const scan = await this.scan();
      report.queued += scan.queued;
      report.skipped = scan.skipped;
      const push = await this.push();
      report.pushed += push.pushed;
      report.dropped += push.dropped;
      report.conflicts.push(...push.conflicts);
      if (!this.rescanWanted) break;
    }
    await this.opts.hooks?.afterPush?.();
    addApply(await this.pull());
    if (report.queued > 0 || report.applied > 0) this.store.pruneBlocks();
    report.cursor = this.store.cursor;
    report.queue = this.store.queueLength();
    return report;
  }

  // ── scan ──────────────────────────────────────────────────────────────────────────────

  /** Compares the folder with the last-synced tree and queues what changed. */
  async scan(): Promise<{ queued: number; skipped: string[] }> {
    const { store, root, ns } = this.opts;
    const started = Date.now();
    const walk = await walkFolder(root);
    // No apply runs during a scan: an engine temp file now is left from an interrupted one.
    for (const t of walk.engineTemps) await rm(path.join(root, t), { force: true });
    if (walk.engineTemps.length > 0) this.log('removed temp files of an interrupted apply', { files: walk.engineTemps.length });
    const known = store.allNodes();
    const gone = new Set<string>();
    // Small files cost a few system calls each: several are read at once.
    await mapLimit(filesToHash(ns, known, walk.entries), HASH_PARALLEL, async (o) => {
      const p = path.join(root, o.path);
      try {
        // Small files are read in one blocking call (see hashSmallFile), big ones streamed.
        const small = o.size <= SMALL_FILE;
        const h = (small && hashSmallFile(p)) || (await hashFile(p));
        const after = small ? lstatSync(p) : await lstat(p);
        if (after.size !== o.size || after.mtimeMs !== o.mtimeMs || h.size !== o.size) {
          // Still being written: leave it for the next scan (the watcher will call again).
          gone.add(o.path);
          this.rescanWanted = true;
          return;
        }
        o.hash = h;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') gone.add(o.path);
        else throw err;
      }
    });
    const observed: Observed[] = walk.entries.filter((o) => !gone.has(o.path) && !(o.kind === 'file' && gone.has(o.parent)));
    // A file that was skipped (still being written) keeps its known state for now.
    if (gone.size > 0) {
      const knownAt = new Set(knownPaths(ns, known).values());
      for (const o of walk.entries) if (gone.has(o.path) && knownAt.has(o.path)) observed.push({ ...o, hash: undefined });
    }
    observed.sort((a, b) => a.path.split('/').length - b.path.split('/').length || (a.path < b.path ? -1 : 1));
    const diff = diffLocal(ns, known, observed, () => uuidv7(), started);

    const ops = localOps(ns, known, diff, { key: nameKey, tempName });
    const edits = ops.filter((o) => o.type === 'edit');
    const placements = ops.filter((o) => o.type !== 'edit');

    let queued = 0;
    const baseCursor = store.cursor;
    store.tx(() => {
      // What the scan hashed: the block lists of the files' contents (block-level downloads).
      for (const o of observed) if (o.hash) store.recordBlocks(o.hash.contentHash, o.hash.blocks);
      for (const id of known.keys()) if (!diff.nodes.has(id)) store.deleteNode(id);
      for (const n of diff.nodes.values()) {
        const prev = known.get(n.id);
        if (!prev || !sameNode(prev, n)) store.putNode(n);
      }
      for (const op of placements) {
        store.enqueue({ opId: uuidv7(), baseCursor, ...op });
        queued++;
      }
      for (const e of edits) {
        // A newer version of a file whose previous version has not gone out yet replaces it there.
        const last = store.opsFor(e.nodeId).filter(isCommit).at(-1);
        if (last && !last.sent) {
          store.updateOpBody(last, { ...last.body, blocks: e.body.blocks, size: e.body.size, mtime: e.body.mtime });
        } else {
          store.enqueue({ opId: uuidv7(), baseCursor, ...e });
          queued++;
        }
      }
    });
    if (queued > 0) this.log('queued local changes', { ops: queued });
    return { queued, skipped: walk.skipped };
  }

  // ── push ──────────────────────────────────────────────────────────────────────────────

  /**
   * Sends the queue in order, in batches with `stopOnError`: the server applies operations up to
   * the first failure and skips the rest (424 SKIPPED, nothing applied), so nothing ever lands
   * out of order and a batch's answer is a prefix of successes, at most one failure, then skips.
   * A skipped op stays queued unchanged (same op id and payload) and goes out again next round.
   * The first failure decides: transient (no answer, 5xx such as 503 BUSY, 429) or BLOCKS_MISSING
   * (a few times) → stop, the queue is kept (PushInterrupted); anything else is a refusal for good
   * → recorded in failed_ops, dropped, a full relist is due, and the push goes on.
   */
  async push(): Promise<{ pushed: number; dropped: number; conflicts: ConflictRef[] }> {
    const { store } = this.opts;
    const out = { pushed: 0, dropped: 0, conflicts: [] as ConflictRef[] };
    // The local tree does not change while the queue goes out (only scans change it).
    const paths = knownPaths(this.opts.ns, store.allNodes());
    const size = this.opts.batchSize ?? 500;
    // The next batch's blocks go up while this batch commits (see prefetchBlocks).
    let prefetch: Promise<void> = Promise.resolve();
    try {
      for (let rounds = 0; rounds < 10_000; rounds++) {
        await prefetch;
        const ops = store.ops(size);
        if (ops.length === 0) break;
        const { ready, reread } = await this.withBlocks(ops, paths);
        if (ready.length === 0) {
          if (reread) continue;
          break;
        }
        store.markSent(ready.map((o) => o.seq));
        // (Not when a scan comes first: the ops after this batch may change.)
        if (!this.rescanWanted) prefetch = this.prefetchBlocks(store.ops(ready.length + size).slice(ready.length), paths);
        const failed = await this.sendBatch(ready, out);
        if (failed) {
          const { op, status, code, message } = failed;
          if (code === 'NO_RESULT' || isTransientStatus(status)) throw new PushInterrupted(`push interrupted: ${status} ${code}`);
          // Uploaded again before the next attempt (ensureBlocks).
          if (code === 'BLOCKS_MISSING' && op.attempts < 3) throw new PushInterrupted(`push paused: ${code}`);
          // Refused for good: record it, drop it, and relist the tree so the folder and the server
          // agree again (anything the server lacks is uploaded anew by the next scan). The ops it
          // held back go out next round.
          store.tx(() => {
            store.recordFailure(op, code, message);
            store.removeOp(op.seq);
            store.setMeta('resync', '1');
          });
          out.dropped++;
          this.log('the server refused an operation', { type: op.type, code, message });
        }
        if (this.rescanWanted) break;
      }
    } finally {
      await prefetch;
    }
    return out;
  }

  /**
   * Uploads the blocks the commits among `ops` (the batch after the one going out) will need,
   * while that batch commits: the device's hashing and upload and the server's commit overlap
   * instead of taking turns. Only a head start — withBlocks still checks the batch when its turn
   * comes (the server then answers from the holdings it just recorded) and decides what goes
   * out; blocks of a file that changed meanwhile are left to garbage collection. Never fails.
   */
  private async prefetchBlocks(ops: readonly QueuedOp[], paths: ReadonlyMap<string, string>): Promise<void> {
    const sources = ops.flatMap((op) => {
      const p = isCommit(op) ? paths.get(op.nodeId) : undefined;
      return isCommit(op) && p !== undefined ? [{ source: path.join(this.opts.root, p), blocks: op.body.blocks }] : [];
    });
    if (sources.length === 0) return;
    await uploadMissingBlocksOf(this.opts.client, sources, {
      parallel: this.opts.uploadParallel ?? 8,
      onProgress: (b) => this.opts.onProgress?.({ phase: 'upload', bytes: b }),
    }).catch((err: unknown) => this.log('uploading ahead failed; the batch uploads its blocks itself', { error: (err as Error).message }));
  }

  /**
   * Sends one batch and settles its answer in the queue: applied ops leave it, skipped ones stay
   * as they were. Returns the first failure (or op without an answer), if any.
   */
  private async sendBatch(
    ready: readonly QueuedOp[],
    out: { pushed: number; conflicts: ConflictRef[] },
  ): Promise<{ op: QueuedOp; status: number; code: string; message: string } | null> {
    const { store, client } = this.opts;
    let results;
    try {
      results = await client.batch(ready.map(toBatchOp), { stopOnError: true });
    } catch (err) {
      if (err instanceof NetworkError || (err instanceof ApiError && isTransientStatus(err.status))) {
        throw new PushInterrupted(`push interrupted: ${(err as Error).message}`, err);
      }
      throw err;
    }
    const failed = store.tx(() => {
      let first: { op: QueuedOp; status: number; code: string; message: string } | null = null;
      for (const [i, op] of ready.entries()) {
        const r = results[i];
        if (r && r.status < 300 && r.result) {
          this.acknowledged(op);
          out.conflicts.push(...(r.result.conflicts ?? []));
          store.removeOp(op.seq);
          out.pushed++;
        } else if (r?.status === 424) {
          // Skipped: the server did not look at it. It stays queued exactly as it was (an op
          // never sent before is still unsent: its payload may still be replaced).
          store.restoreSendState(op.seq, op.sent, op.attempts);
        } else {
          // The first failure — or no answer for this op (then nothing after it is known either).
          first ??= { op, status: r?.status ?? 0, code: r?.error?.code ?? 'NO_RESULT', message: r?.error?.message ?? '' };
        }
      }
      return first;
    });
    if (!failed && results.some((r) => r.status === 424)) throw new PushInterrupted('push interrupted: operations skipped without a failure');
    return failed;
  }

  /**
   * The longest prefix of `ops` that can go out: the blocks of its commits are on the server (one
   * check for the whole batch, the missing blocks uploaded across its files at once). It ends
   * before the first commit whose file changed since the scan (rescanWanted: scan again first) or
   * whose file is gone before its version went out (that op is dropped; `reread`: the queue changed).
   */
  private async withBlocks(ops: readonly QueuedOp[], paths: ReadonlyMap<string, string>): Promise<{ ready: QueuedOp[]; reread: boolean }> {
    const { store, root, client } = this.opts;
    let reread = false;
    let end = ops.length;
    const commits: { at: number; op: QueuedCommit; file: string }[] = [];
    for (const [at, op] of ops.entries()) {
      if (!isCommit(op)) continue;
      const p = paths.get(op.nodeId);
      if (p !== undefined) {
        commits.push({ at, op, file: path.join(root, p) });
        continue;
      }
      if (op.sent) continue; // its payload is fixed; the server answers (a retry, or BLOCKS_MISSING → dropped)
      // The file was deleted locally before this version went out: drop what can no longer be sent.
      const isCreate = op.type === 'createFile';
      store.tx(() => {
        for (const o of store.opsFor(op.nodeId)) if (!o.sent && (isCreate || o.seq === op.seq)) store.removeOp(o.seq);
      });
      reread = true;
      end = at;
      break;
    }
    const sending = commits.filter((c) => c.at < end);
    let changed: Set<number>;
    try {
      ({ changed } = await uploadMissingBlocksOf(
        client,
        sending.map((c) => ({ source: c.file, blocks: c.op.body.blocks })),
        { parallel: this.opts.uploadParallel ?? 8, onProgress: (b) => this.opts.onProgress?.({ phase: 'upload', bytes: b }) },
      ));
    } catch (err) {
      if (err instanceof NetworkError || (err instanceof ApiError && isTransientStatus(err.status))) {
        throw new PushInterrupted(`upload interrupted: ${(err as Error).message}`, err);
      }
      throw err;
    }
    // A sent op's payload is fixed whatever the file holds now: it goes out as it was.
    const firstChanged = sending.find((c, i) => changed.has(i) && !c.op.sent);
    if (firstChanged) {
      this.rescanWanted = true;
      return { ready: ops.slice(0, firstChanged.at), reread: false };
    }
    return { ready: ops.slice(0, end), reread };
  }

  /** The server applied an op: what it now holds is safe to replace locally. */
  private acknowledged(op: QueuedOp): void {
    const n = this.store.node(op.nodeId);
    if (!n) return;
    const next: LocalNode = { ...n, known: true };
    if (isCommit(op)) {
      const blocks = op.body.blocks;
      next.baseHash = contentHashOfBlocks(blocks);
      this.store.recordBlocks(next.baseHash, blocks);
    }
    this.store.putNode(next);
  }

  // ── pull ──────────────────────────────────────────────────────────────────────────────

  /** Reads the delta to the head and applies it. Skipped while operations wait in the queue. */
  async pull(): Promise<{ changes: number; localConflicts: number }> {
    const { store, client } = this.opts;
    if (store.queueLength() > 0) return { changes: 0, localConflicts: 0 };
    if (store.cursor === '' || store.getMeta('resync') === '1') return this.resync();
    let read: { entries: DeltaEntry[]; cursor: string };
    try {
      read = await client.deltaSince(store.cursor, 1000);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CURSOR_RESET') return this.resync();
      throw err;
    }
    const { entries, cursor } = read;
    if (entries.length === 0) {
      if (cursor !== store.cursor) store.cursor = cursor;
      return { changes: 0, localConflicts: 0 };
    }
    const last = new Map<string, RemoteState>();
    for (const e of entries) last.set(e.id, e);
    store.setRemotePending([...last.values()], cursor, 'delta');
    return this.resumePending();
  }

  /** Relists the server's tree and makes the folder match it ("keep both" for anything unsynced). */
  async resync(): Promise<{ changes: number; localConflicts: number }> {
    const { store, client } = this.opts;
    const latest = await client.latest();
    const live = await client.list({ path: '/' }, true);
    store.tx(() => {
      store.setRemotePending(live, latest.cursor, 'resync');
      store.setMeta('resync', null);
    });
    this.log('relisting the server tree', { nodes: live.length });
    return this.resumePending();
  }

  /** Applies remote states read before (also after a crash mid-apply), then moves the cursor. */
  async resumePending(): Promise<{ changes: number; localConflicts: number }> {
    const { store } = this.opts;
    const pending = store.remotePending<RemoteState>();
    if (!pending) return { changes: 0, localConflicts: 0 };
    const applier = new RemoteApplier({
      client: this.opts.client,
      store,
      root: this.opts.root,
      ns: this.opts.ns,
      deviceName: this.opts.deviceName,
      beforeFsStep: this.opts.hooks?.beforeFsStep,
      onBytes: (b) => this.opts.onProgress?.({ phase: 'download', bytes: b }),
      log: this.log,
    });
    const r = await applier.apply(pending.states, pending.mode);
    store.finishRemotePending();
    if (r.changes > 0) this.log('applied remote changes', { changes: r.changes, localConflicts: r.localConflicts });
    return r;
  }
}

/** A queued op as the server takes it: its body, its base cursor and op id, and the wire type. */
function toBatchOp(op: QueuedOp): BatchOp {
  const sent = { baseCursor: op.baseCursor, opId: op.opId };
  switch (op.type) {
    case 'createFolder':
      return { type: 'createFolder', ...op.body, ...sent };
    case 'createFile':
    case 'edit':
      return { type: 'commit', ...op.body, ...sent };
    case 'move':
      return { type: 'move', ...op.body, ...sent };
    case 'delete':
      return { type: 'delete', ...op.body, ...sent };
  }
}

const isCommit = (op: QueuedOp): op is QueuedCommit => op.type === 'createFile' || op.type === 'edit';

function sameNode(a: LocalNode, b: LocalNode): boolean {
  return (
    a.parentId === b.parentId &&
    a.name === b.name &&
    a.contentHash === b.contentHash &&
    a.baseHash === b.baseHash &&
    a.ino === b.ino &&
    a.birthMs === b.birthMs &&
    a.statSize === b.statSize &&
    a.statMtimeMs === b.statMtimeMs &&
    a.racy === b.racy &&
    a.size === b.size &&
    a.known === b.known
  );
}
