import { copyFile, lstat, mkdir, rename, rm, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BLOCK_SIZE, contentHashOfBlocks } from '../../../src/shared/content-hash.js';
import { conflictedName, nameKey } from '../../../src/shared/names.js';
import { assembleFile, CorruptContentError, downloadToFile, hashFile, type BlockSource } from '../sdk/blocks.js';
import type { PocketCloudClient } from '../sdk/client.js';
import { ApiError } from '../sdk/errors.js';
import type { BlockList, Entry } from '../sdk/types.js';
import type { LocalNode, SyncStore } from '../state/store.js';
import { TEMP_PREFIX } from './fs-scan.js';
import { statUnchanged } from './local-diff.js';
import { orphansOf, planPlacement, type Placed, type PlacementStep } from './placement.js';

export const EMPTY_HASH = contentHashOfBlocks([]);

/** A node's state as the server reports it (a delta entry or a listing entry). */
export type RemoteState = Pick<Entry, 'id' | 'parentId' | 'name' | 'kind' | 'rev' | 'size' | 'contentHash' | 'mtime' | 'deleted'>;

export interface ApplyContext {
  client: PocketCloudClient;
  store: SyncStore;
  root: string;
  ns: string;
  deviceName: string;
  /** Called before every change to the folder (tests use it to simulate a crash). */
  beforeFsStep?: (what: string) => void;
  onBytes?: (n: number) => void;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface ApplyResult {
  /** Folder changes made (creates, moves, deletes, new contents). */
  changes: number;
  /** Local edits kept aside as conflicted copies, or kept instead of deleted. */
  localConflicts: number;
}

/** A temporary name for a node parked during a swap: valid everywhere, and synced like any name. */
export function tempName(node: Placed, attempt: number): string {
  return `~pc ${node.id.slice(-12)}${attempt > 0 ? `-${attempt}` : ''}`;
}

/**
 * Applies remote states to the folder. The target tree is the local tree with the remote states
 * laid over it (`delta`), or exactly the server's tree (`resync`); the placement planner orders
 * the steps. Every step checks the disk first: bytes that differ from what the server is known
 * to hold (`baseHash`) were never uploaded, so they are never overwritten or deleted — they are
 * kept aside as a conflicted copy (or left in place, untracked) and the next scan uploads them.
 * Steps are idempotent, so a run cut short by a crash is simply run again.
 */
export class RemoteApplier {
  private nodes = new Map<string, LocalNode>();
  private result: ApplyResult = { changes: 0, localConflicts: 0 };

  constructor(private readonly ctx: ApplyContext) {}

  async apply(states: readonly RemoteState[], mode: 'delta' | 'resync'): Promise<ApplyResult> {
    const { store, ns } = this.ctx;
    this.nodes = store.allNodes();
    const target = new Map<string, RemoteState | LocalNode>();
    if (mode === 'delta') for (const n of this.nodes.values()) target.set(n.id, n);
    for (const s of states) {
      if (s.deleted) target.delete(s.id);
      else target.set(s.id, s);
    }
    for (const id of orphansOf(ns, target)) target.delete(id);
    const current = new Map<string, Placed>();
    for (const n of this.nodes.values()) current.set(n.id, n);
    for (const id of orphansOf(ns, current)) current.delete(id);
    const steps = planPlacement(ns, current, target, { key: nameKey, tempName });
    for (const step of steps) await this.exec(step, target);
    for (const t of target.values()) {
      if (t.kind !== 'file') continue;
      const n = this.nodes.get(t.id);
      if (!n) continue;
      const want = t.contentHash;
      if (want && (n.contentHash !== want || n.baseHash !== want)) await this.ensureContent(n, t as RemoteState);
    }
    // What the server said about nodes that did not need a change on disk.
    store.tx(() => {
      for (const s of states) {
        const n = this.nodes.get(s.id);
        if (!n || s.deleted || !target.has(s.id)) continue;
        const next: LocalNode = { ...n, rev: s.rev, mtime: s.mtime, known: true };
        if (s.kind === 'file' && n.contentHash === s.contentHash) next.baseHash = s.contentHash;
        this.put(next);
      }
    });
    return this.result;
  }

  // ── paths ───────────────────────────────────────────────────────────────────────────────

  private rel(id: string): string {
    const names: string[] = [];
    let cur = id;
    for (let i = 0; cur !== this.ctx.ns; i++) {
      const n = this.nodes.get(cur);
      if (!n || i > 10_000) throw new Error(`no local path for ${id}`);
      names.push(n.name);
      cur = n.parentId;
    }
    return names.reverse().join('/');
  }

  private abs(id: string): string {
    return id === this.ctx.ns ? this.ctx.root : path.join(this.ctx.root, this.rel(id));
  }

  private put(n: LocalNode): void {
    this.nodes.set(n.id, n);
    this.ctx.store.putNode(n);
  }

  private drop(id: string): void {
    this.nodes.delete(id);
    this.ctx.store.deleteNode(id);
  }

  private step(what: string): void {
    this.ctx.beforeFsStep?.(what);
    this.result.changes++;
  }

  // ── steps ───────────────────────────────────────────────────────────────────────────────

  private async exec(step: PlacementStep, target: Map<string, RemoteState | LocalNode>): Promise<void> {
    switch (step.type) {
      case 'create': {
        const t = target.get(step.id)!;
        const dest = path.join(this.abs(step.parentId), step.name);
        await this.ensureDir(path.dirname(dest));
        if (step.kind === 'folder') {
          this.step(`mkdir ${dest}`);
          const st = await lstat(dest).catch(() => null);
          if (st && !st.isDirectory()) await this.moveAside(dest, 'NAME_CLASH');
          if (!st || !st.isDirectory()) await mkdir(dest);
          const s = await stat(dest);
          this.put(this.folderNode(t, step.parentId, step.name, s));
        } else {
          await this.writeFileNode(t as RemoteState, step.parentId, step.name, dest, null);
        }
        return;
      }
      case 'move': {
        const n = this.nodes.get(step.id)!;
        const from = this.abs(step.id);
        const to = path.join(this.abs(step.parentId), step.name);
        const src = await lstat(from).catch(() => null);
        if (src && from !== to) {
          await this.ensureDir(path.dirname(to));
          const occ = await lstat(to).catch(() => null);
          if (occ && occ.ino !== src.ino) await this.moveAside(to, 'NAME_CLASH');
          this.step(`rename ${from} → ${to}`);
          await rename(from, to);
        }
        // A source already gone was moved or deleted locally since the scan: the next scan says which.
        this.put({ ...n, parentId: step.parentId, name: step.name });
        return;
      }
      case 'delete': {
        const ids = [step.id, ...step.removedIds];
        const depth = (id: string): number => this.rel(id).split('/').length;
        const paths = new Map(ids.map((id) => [id, this.abs(id)]));
        for (const id of [...ids].sort((a, b) => depth(b) - depth(a))) {
          const n = this.nodes.get(id)!;
          const p = paths.get(id)!;
          if (n.kind === 'file') {
            const content = await this.diskContent(n, p);
            if (content === null) {
              // Already gone.
            } else if (content === n.baseHash && n.known) {
              this.step(`unlink ${p}`);
              await unlink(p).catch(ignoreEnoent);
            } else {
              // Bytes the server never had: keep them; the next scan uploads them as a new file.
              this.ctx.store.recordLocalConflict('KEPT_UNSYNCED_EDIT', this.rel(id), null);
              this.result.localConflicts++;
            }
          } else {
            this.step(`rmdir ${p}`);
            await rmdir(p).catch((err: NodeJS.ErrnoException) => {
              if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST' && err.code !== 'ENOTDIR') throw err;
            });
          }
        }
        for (const id of ids) this.drop(id);
        return;
      }
    }
  }

  private folderNode(t: RemoteState | LocalNode, parentId: string, name: string, s: import('node:fs').Stats): LocalNode {
    return {
      id: t.id,
      parentId,
      name,
      kind: 'folder',
      contentHash: null,
      baseHash: null,
      size: 0,
      mtime: t.mtime,
      rev: t.rev,
      known: true,
      ino: s.ino,
      birthMs: s.birthtimeMs > 0 ? s.birthtimeMs : null,
      statSize: null,
      statMtimeMs: null,
      racy: false,
    };
  }

  private async ensureContent(n: LocalNode, t: RemoteState): Promise<void> {
    const dest = this.abs(n.id);
    await this.ensureDir(path.dirname(dest));
    await this.writeFileNode(t, n.parentId, n.name, dest, n);
  }

  /**
   * The folder a node goes into, on disk. It can be missing: deleted or renamed locally since the
   * last scan. Then the chain is made again (what the server does for a folder deleted under an
   * unseen change: keep the chain above it); the next scan tells the server what the user did.
   * A file standing where a folder must be is kept aside as a conflicted copy.
   */
  private async ensureDir(dir: string): Promise<void> {
    const rel = path.relative(this.ctx.root, dir);
    if (rel === '' || rel.startsWith('..')) return;
    let cur = this.ctx.root;
    for (const part of rel.split(path.sep)) {
      cur = path.join(cur, part);
      const st = await lstat(cur).catch(() => null);
      if (st?.isDirectory()) continue;
      if (st) await this.moveAside(cur, 'NAME_CLASH');
      this.step(`mkdir ${cur} (gone locally)`);
      await mkdir(cur);
    }
  }

  /** What the disk holds for a node: its content hash, or null when nothing (or a folder) is there. */
  private async diskContent(n: LocalNode, p: string): Promise<string | null> {
    const st = await lstat(p).catch(() => null);
    if (!st || !st.isFile()) return null;
    if (statUnchanged(n, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs })) return n.contentHash;
    return (await hashFile(p)).contentHash;
  }

  /**
   * Puts a file's server content at `dest`: fetched into a temp file beside it (from a local
   * file with the same content, or downloaded), then renamed into place. Whatever is at `dest`
   * that the server never had is kept aside as a conflicted copy first.
   */
  private async writeFileNode(t: RemoteState, parentId: string, name: string, dest: string, n: LocalNode | null): Promise<void> {
    const tmp = path.join(path.dirname(dest), `${TEMP_PREFIX}${t.id}`);
    const got = await this.fetchContent(t, tmp, dest, n).catch(async (err: unknown) => {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    });
    if (!got) {
      // Gone from the server since this state was written: a later entry says what became of it.
      await rm(tmp, { force: true });
      return;
    }
    const st = await lstat(dest).catch(() => null);
    if (st?.isFile()) {
      const content = n && statUnchanged(n, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }) ? n.contentHash : (await hashFile(dest)).contentHash;
      if (content === got.contentHash) {
        await rm(tmp, { force: true });
        await this.recordFile(t, parentId, name, dest, got.contentHash, got.size);
        return;
      }
      if (!(n && n.known && content === n.baseHash)) await this.moveAside(dest, 'EDIT_KEPT_LOCALLY');
    } else if (st) {
      await this.moveAside(dest, 'NAME_CLASH');
    }
    this.step(`write ${dest}`);
    if (t.mtime) {
      const when = new Date(t.mtime);
      await utimes(tmp, when, when).catch(() => undefined);
    }
    await rename(tmp, dest);
    await this.recordFile(t, parentId, name, dest, got.contentHash, got.size);
  }

  private async recordFile(t: RemoteState, parentId: string, name: string, dest: string, contentHash: string, size: number): Promise<void> {
    const s = await stat(dest);
    const prev = this.nodes.get(t.id);
    this.put({
      id: t.id,
      parentId,
      name,
      kind: 'file',
      contentHash,
      baseHash: contentHash,
      size,
      mtime: t.mtime,
      rev: Math.max(t.rev, prev?.rev ?? 0),
      known: true,
      ino: s.ino,
      birthMs: s.birthtimeMs > 0 ? s.birthtimeMs : null,
      statSize: s.size,
      statMtimeMs: s.mtimeMs,
      racy: s.mtimeMs > Date.now() - 2000,
    });
  }

  /**
   * The content of `t` into `tmp`: copied from a local file with the same bytes; for a file of
   * several blocks, assembled from the blocks local files already hold (the version at `dest`
   * first) and only the missing ones downloaded; else (or when the server gives no block list)
   * downloaded whole. Null: the file is gone from the server.
   */
  private async fetchContent(t: RemoteState, tmp: string, dest: string, n: LocalNode | null): Promise<{ contentHash: string; size: number } | null> {
    const { store } = this.ctx;
    const want = t.contentHash;
    if (want === EMPTY_HASH) {
      await writeFile(tmp, '');
      return { contentHash: EMPTY_HASH, size: 0 };
    }
    if (want) {
      // The store's index by content (every change to this.nodes goes to the store too).
      for (const { id } of store.nodesWithHash(want)) {
        const c = this.nodes.get(id);
        if (c?.kind !== 'file' || c.contentHash !== want) continue;
        let src: string;
        try {
          src = this.abs(c.id);
        } catch {
          continue;
        }
        const st = await lstat(src).catch(() => null);
        if (!st?.isFile() || !statUnchanged(c, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs })) continue;
        await copyFile(src, tmp);
        const h = await hashFile(tmp);
        if (h.contentHash === want) {
          store.recordBlocks(h.contentHash, h.blocks);
          return { contentHash: want, size: h.size };
        }
      }
    }
    if (t.size > BLOCK_SIZE) {
      const got = await this.assemble(t, tmp, dest, n);
      if (got !== 'whole') return got;
    }
    try {
      const got = await downloadToFile(this.ctx.client, t.id, tmp, this.ctx.onBytes);
      if (got.etag && got.etag !== got.contentHash) throw new CorruptContentError(`the download of ${t.id} does not match its content hash`);
      store.recordBlocks(got.contentHash, got.blocks);
      return { contentHash: got.contentHash, size: got.size };
    } catch (err) {
      if (isGone(err)) return null;
      throw err;
    }
  }

  /**
   * Block-level download: the server's block list of the file, then only the blocks no local file
   * holds. 'whole': download the whole file instead (no block list, or a block no longer served).
   */
  private async assemble(t: RemoteState, tmp: string, dest: string, n: LocalNode | null): Promise<{ contentHash: string; size: number } | null | 'whole'> {
    const { client, store } = this.ctx;
    let list: BlockList;
    try {
      list = await client.blockList(t.id);
    } catch (err) {
      if (isGone(err)) return null;
      this.ctx.log('no block list: downloading the whole file', { id: t.id, error: (err as Error).message });
      return 'whole';
    }
    // The previous version of this file (or whatever file is at its place) is the likeliest source.
    const here = new Map<string, number>();
    (await this.blocksAt(dest, n))?.forEach((hash, i) => {
      if (!here.has(hash)) here.set(hash, i);
    });
    try {
      const got = await assembleFile(client, list, tmp, { local: (hash) => this.blockSources(hash, dest, here), onProgress: this.ctx.onBytes });
      store.recordBlocks(got.contentHash, got.blocks);
      this.ctx.log('assembled a file from blocks', { id: t.id, blocks: got.blocks.length, downloaded: got.downloaded, reused: got.reused });
      return { contentHash: got.contentHash, size: got.size };
    } catch (err) {
      // A block no longer served (the content changed since the list was read), or bytes that
      // would not verify: the whole download settles it.
      if ((err instanceof ApiError && (err.status === 404 || err.status === 410)) || err instanceof CorruptContentError) {
        this.ctx.log('block download failed: downloading the whole file', { id: t.id, error: err.message });
        return 'whole';
      }
      throw err;
    }
  }

  /**
   * The block list of the file at `p` as it is now: the recorded list of its content when its
   * stat proves it unchanged since the last scan, else by hashing it (recorded for next time).
   */
  private async blocksAt(p: string, n: LocalNode | null): Promise<string[] | null> {
    const st = await lstat(p).catch(() => null);
    if (!st?.isFile() || st.size === 0) return null;
    if (n?.contentHash && statUnchanged(n, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs })) {
      const known = this.ctx.store.blocksOf(n.contentHash);
      if (known) return known;
    }
    try {
      const h = await hashFile(p);
      this.ctx.store.recordBlocks(h.contentHash, h.blocks);
      return h.blocks;
    } catch {
      return null;
    }
  }

  /** Where a block may be on disk: the file at `dest`, then other local files whose content has it. */
  private blockSources(hash: string, dest: string, here: ReadonlyMap<string, number>): BlockSource[] {
    const out: BlockSource[] = [];
    const i = here.get(hash);
    if (i !== undefined) out.push({ path: dest, index: i });
    for (const c of this.ctx.store.contentsWithBlock(hash)) {
      for (const node of this.ctx.store.nodesWithHash(c.contentHash)) {
        const rel = this.safeRel(node.id);
        if (rel === null || node.kind !== 'file') continue;
        const p = path.join(this.ctx.root, rel);
        if (p !== dest) out.push({ path: p, index: c.index });
        if (out.length >= 4) return out;
      }
    }
    return out;
  }

  /** Renames what is at `p` to a free "name (conflicted copy <device> <date>)" beside it; the scan uploads it. */
  private async moveAside(p: string, kind: string): Promise<string> {
    const dir = path.dirname(p);
    const base = path.basename(p);
    const label = `${this.ctx.deviceName} ${new Date().toISOString().slice(0, 10)}`;
    for (let i = 1; i < 10_000; i++) {
      const name = conflictedName(base, label, i);
      const candidate = path.join(dir, name);
      if (await lstat(candidate).catch(() => null)) continue;
      const parentRel = path.relative(this.ctx.root, dir);
      if ([...this.nodes.values()].some((n) => nameKey(n.name) === nameKey(name) && this.safeRel(n.parentId) === parentRel)) continue;
      this.step(`keep ${p} as ${name}`);
      await rename(p, candidate);
      this.ctx.store.recordLocalConflict(kind, path.relative(this.ctx.root, p), path.relative(this.ctx.root, candidate));
      this.result.localConflicts++;
      this.ctx.log('kept a local change as a conflicted copy', { path: p, copy: candidate });
      return candidate;
    }
    throw new Error(`no free conflicted-copy name for ${p}`);
  }

  private safeRel(id: string): string | null {
    try {
      return id === this.ctx.ns ? '' : this.rel(id);
    } catch {
      return null;
    }
  }
}

/** The server no longer has the file (or its content): a later delta entry says what became of it. */
function isGone(err: unknown): boolean {
  return err instanceof ApiError && ((err.status === 404 && err.code !== 'ROUTE_NOT_FOUND') || err.status === 410);
}

function ignoreEnoent(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
