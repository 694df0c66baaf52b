import { contentHashOfBlocks } from '../../../src/shared/content-hash.js';
import type { Statement } from 'better-sqlite3';
import { openDb, type Db } from './db.js';
import type { BatchOpOf, BatchOpType, NodeKind } from '../sdk/types.js';

/**
 * The device's sync state (`sync.db`):
 *
 * - `nodes`: the tree as the device last reconciled it with its folder — ids, parents, names,
 *   kinds, content hashes — plus, per file, the content the server is known to hold
 *   (`base_hash`: the merge base; local bytes that differ from it were never uploaded) and the
 *   file-system identity and stat seen last (inode, birth time, size, mtime) so unchanged files
 *   are not hashed again and renames are recognized.
 * - `ops`: the durable queue of local operations not yet acknowledged, in order, each with the
 *   cursor the device had applied when it made it and a client op id (retries are safe).
 * - `remote_pending`: delta entries read but not yet fully applied to the folder (so a crash
 *   mid-apply resumes instead of mistaking half-applied changes for local edits).
 * - `content_blocks`: the block list of each content the local files hold (content hash →
 *   block hashes, a fact that never goes stale), indexed by block: an incoming version
 *   downloads only the blocks no local file has.
 * - `meta`: the delta cursor, the synced folder, flags.
 */
const MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE nodes (
     id TEXT PRIMARY KEY,
     parent_id TEXT NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
     content_hash TEXT,
     base_hash TEXT,
     size INTEGER NOT NULL DEFAULT 0,
     mtime TEXT,
     rev INTEGER NOT NULL DEFAULT 0,
     known INTEGER NOT NULL DEFAULT 0,
     ino INTEGER,
     birth_ms REAL,
     stat_size INTEGER,
     stat_mtime_ms REAL,
     racy INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX nodes_parent ON nodes (parent_id);
   CREATE INDEX nodes_hash ON nodes (content_hash);
   CREATE TABLE ops (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     op_id TEXT NOT NULL UNIQUE,
     node_id TEXT NOT NULL,
     type TEXT NOT NULL,
     body TEXT NOT NULL,
     base_cursor TEXT NOT NULL,
     sent INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL
   );
   CREATE INDEX ops_node ON ops (node_id);
   CREATE TABLE remote_pending (
     id TEXT PRIMARY KEY,
     state TEXT NOT NULL
   );
   CREATE TABLE failed_ops (
     seq INTEGER PRIMARY KEY,
     op_id TEXT NOT NULL,
     type TEXT NOT NULL,
     body TEXT NOT NULL,
     code TEXT NOT NULL,
     message TEXT NOT NULL,
     at TEXT NOT NULL
   );
   CREATE TABLE local_conflicts (
     n INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     path TEXT NOT NULL,
     copy TEXT
   );`,
  `CREATE TABLE content_blocks (
     content_hash TEXT NOT NULL,
     idx INTEGER NOT NULL,
     hash TEXT NOT NULL,
     PRIMARY KEY (content_hash, idx)
   ) WITHOUT ROWID;
   CREATE INDEX content_blocks_hash ON content_blocks (hash);`,
  // A commit is queued as what it does: a new file (placed by parent + name) or a new version.
  `UPDATE ops SET type = CASE WHEN json_extract(body, '$.parentId') IS NULL THEN 'edit' ELSE 'createFile' END WHERE type = 'commit';
   UPDATE failed_ops SET type = CASE WHEN json_extract(body, '$.parentId') IS NULL THEN 'edit' ELSE 'createFile' END WHERE type = 'commit';`,
];

export interface LocalNode {
  id: string;
  parentId: string;
  name: string;
  kind: NodeKind;
  /** Content as the device last saw it on disk (files). */
  contentHash: string | null;
  /** Content the server is known to hold for this node: safe to replace locally. */
  baseHash: string | null;
  size: number;
  mtime: string | null;
  rev: number;
  /** The server has this node (a delta entry or an acknowledged create said so). */
  known: boolean;
  ino: number | null;
  birthMs: number | null;
  statSize: number | null;
  statMtimeMs: number | null;
  /** Modified too recently for its stat to prove it unchanged next time (hash again). */
  racy: boolean;
}

/** What an operation of `POST /v1/batch` sends, less what the queue adds (its base cursor and op id). */
type Payload<T extends BatchOpType> = Omit<BatchOpOf<T>, 'type' | 'baseCursor' | 'opId'>;
type With<T, K extends keyof T> = T & Required<Pick<T, K>>;

/** A new folder, placed by parent + name, with the id the device minted. */
export type CreateFolderBody = With<Omit<Payload<'createFolder'>, 'path'>, 'id' | 'parentId' | 'name'>;
/** A new file (a commit placed by parent + name), with the id the device minted. */
export type CreateFileBody = With<Omit<Payload<'commit'>, 'path'>, 'id' | 'parentId' | 'name' | 'mtime'>;
/** A new version of a file the server has (a commit by id alone). */
export type EditBody = With<Omit<Payload<'commit'>, 'path' | 'parentId' | 'name'>, 'id' | 'mtime'>;
export type MoveBody = Payload<'move'>;
export type DeleteBody = Payload<'delete'>;

/**
 * An operation the scan made, about one node: its type says what it does (a commit either
 * creates a file or edits one), its body is what goes on the wire.
 */
export type LocalOp =
  | { type: 'createFolder'; nodeId: string; body: CreateFolderBody }
  | { type: 'createFile'; nodeId: string; body: CreateFileBody }
  | { type: 'edit'; nodeId: string; body: EditBody }
  | { type: 'move'; nodeId: string; body: MoveBody }
  | { type: 'delete'; nodeId: string; body: DeleteBody };

export type QueuedOpType = LocalOp['type'];
const QUEUED_OP_TYPES: readonly string[] = ['createFolder', 'createFile', 'edit', 'move', 'delete'] satisfies QueuedOpType[];

/** An operation in the durable queue: a LocalOp with its op id, base cursor and send state. */
export type QueuedOp = LocalOp & {
  seq: number;
  opId: string;
  baseCursor: string;
  sent: boolean;
  attempts: number;
};

/** A queued commit: a new file or a new version. */
export type QueuedCommit = Extract<QueuedOp, { type: 'createFile' | 'edit' }>;

interface NodeRow {
  id: string;
  parent_id: string;
  name: string;
  kind: NodeKind;
  content_hash: string | null;
  base_hash: string | null;
  size: number;
  mtime: string | null;
  rev: number;
  known: number;
  ino: number | null;
  birth_ms: number | null;
  stat_size: number | null;
  stat_mtime_ms: number | null;
  racy: number;
}

interface OpRow {
  seq: number;
  op_id: string;
  node_id: string;
  type: string;
  body: string;
  base_cursor: string;
  sent: number;
  attempts: number;
}

const toNode = (r: NodeRow): LocalNode => ({
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  kind: r.kind,
  contentHash: r.content_hash,
  baseHash: r.base_hash,
  size: r.size,
  mtime: r.mtime,
  rev: r.rev,
  known: r.known === 1,
  ino: r.ino,
  birthMs: r.birth_ms,
  statSize: r.stat_size,
  statMtimeMs: r.stat_mtime_ms,
  racy: r.racy === 1,
});

const toOp = (r: OpRow): QueuedOp => ({
  ...localOp(r),
  seq: r.seq,
  opId: r.op_id,
  baseCursor: r.base_cursor,
  sent: r.sent === 1,
  attempts: r.attempts,
});

/** A row's operation. The row is this store's own: enqueue wrote the body of a LocalOp of that type. */
function localOp(r: OpRow): LocalOp {
  if (!QUEUED_OP_TYPES.includes(r.type)) throw new Error(`sync.db: queued operation ${r.seq} has an unknown type ${r.type}`);
  return { type: r.type, nodeId: r.node_id, body: JSON.parse(r.body) as unknown } as LocalOp;
}

export class SyncStore {
  readonly db: Db;

  /** Prepared statements by their text: preparing costs more than running a small one. */
  private readonly statements = new Map<string, Statement>();

  /** One transaction wrapper for every `tx` (making one prepares its BEGIN and COMMIT anew). */
  private readonly inTx: (fn: () => unknown) => unknown;

  constructor(file: string) {
    this.db = openDb(file, MIGRATIONS);
    this.inTx = this.db.transaction((fn: () => unknown) => fn());
  }

  private sql(text: string): Statement {
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one SQLite transaction: all of it is durable, or none. */
  tx<T>(fn: () => T): T {
    return this.inTx(fn) as T;
  }


  // ── meta ──────────────────────────────────────────────────────────────────────────────

  getMeta(key: string): string | null {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.sql('DELETE FROM meta WHERE key = ?').run(key);
    else this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** The delta cursor whose changes are all applied to the folder ('' = nothing yet). */
  get cursor(): string {
    return this.getMeta('cursor') ?? '';
  }

  set cursor(c: string) {
    this.setMeta('cursor', c);
  }

  // ── nodes ─────────────────────────────────────────────────────────────────────────────

  allNodes(): Map<string, LocalNode> {
    const rows = this.sql('SELECT * FROM nodes').all() as NodeRow[];
    return new Map(rows.map((r) => [r.id, toNode(r)]));
  }

  node(id: string): LocalNode | null {
    const row = this.sql('SELECT * FROM nodes WHERE id = ?').get(id) as NodeRow | undefined;
    return row ? toNode(row) : null;
  }

  nodesWithHash(hash: string): LocalNode[] {
    return (this.sql('SELECT * FROM nodes WHERE content_hash = ?').all(hash) as NodeRow[]).map(toNode);
  }

  putNode(n: LocalNode): void {
    this.sql(
      `INSERT INTO nodes (id, parent_id, name, kind, content_hash, base_hash, size, mtime, rev, known, ino, birth_ms, stat_size, stat_mtime_ms, racy)
       VALUES (@id, @parentId, @name, @kind, @contentHash, @baseHash, @size, @mtime, @rev, @known, @ino, @birthMs, @statSize, @statMtimeMs, @racy)
       ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind,
         content_hash = excluded.content_hash, base_hash = excluded.base_hash, size = excluded.size, mtime = excluded.mtime,
         rev = excluded.rev, known = excluded.known, ino = excluded.ino, birth_ms = excluded.birth_ms,
         stat_size = excluded.stat_size, stat_mtime_ms = excluded.stat_mtime_ms, racy = excluded.racy`,
    ).run({ ...n, known: n.known ? 1 : 0, racy: n.racy ? 1 : 0 });
  }

  deleteNode(id: string): void {
    this.sql('DELETE FROM nodes WHERE id = ?').run(id);
  }

  nodeCount(): number {
    return (this.sql('SELECT count(*) AS n FROM nodes').get() as { n: number }).n;
  }

  // ── block lists of local contents ──────────────────────────────────────────────────────

  /** Remembers a content's block list (ignored when the blocks do not make that content hash). */
  recordBlocks(contentHash: string, blocks: readonly string[]): void {
    if (blocks.length === 0 || contentHashOfBlocks(blocks) !== contentHash) return;
    if (this.sql('SELECT 1 FROM content_blocks WHERE content_hash = ? LIMIT 1').get(contentHash)) return;
    const st = this.sql('INSERT OR IGNORE INTO content_blocks (content_hash, idx, hash) VALUES (?, ?, ?)');
    this.tx(() => blocks.forEach((b, i) => st.run(contentHash, i, b)));
  }

  /** A content's block list, if recorded. */
  blocksOf(contentHash: string): string[] | null {
    const rows = this.sql('SELECT hash FROM content_blocks WHERE content_hash = ? ORDER BY idx').all(contentHash) as { hash: string }[];
    return rows.length > 0 ? rows.map((r) => r.hash) : null;
  }

  /** Recorded contents that contain a block, and where (a few). */
  contentsWithBlock(hash: string, limit = 8): { contentHash: string; index: number }[] {
    return this.sql('SELECT content_hash AS contentHash, idx AS "index" FROM content_blocks WHERE hash = ? LIMIT ?').all(hash, limit) as {
      contentHash: string;
      index: number;
    }[];
  }

  /** Forgets the block lists of contents no local file holds any more. */
  pruneBlocks(): number {
    return this.sql('DELETE FROM content_blocks WHERE content_hash NOT IN (SELECT content_hash FROM nodes WHERE content_hash IS NOT NULL)').run().changes;
  }

  // ── the queue ─────────────────────────────────────────────────────────────────────────

  enqueue(op: LocalOp & { opId: string; baseCursor: string }): number {
    const r = this.sql('INSERT INTO ops (op_id, node_id, type, body, base_cursor, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      op.opId, op.nodeId, op.type, JSON.stringify(op.body), op.baseCursor, new Date().toISOString(),
    );
    return Number(r.lastInsertRowid);
  }

  ops(limit = 1_000_000): QueuedOp[] {
    return (this.sql('SELECT * FROM ops ORDER BY seq LIMIT ?').all(limit) as OpRow[]).map(toOp);
  }

  opsFor(nodeId: string): QueuedOp[] {
    return (this.sql('SELECT * FROM ops WHERE node_id = ? ORDER BY seq').all(nodeId) as OpRow[]).map(toOp);
  }

  queueLength(): number {
    return (this.sql('SELECT count(*) AS n FROM ops').get() as { n: number }).n;
  }

  /** An op about to go out: from now on its payload never changes (a retry must send the same thing). */
  markSent(seqs: readonly number[]): void {
    const st = this.sql('UPDATE ops SET sent = 1, attempts = attempts + 1 WHERE seq = ?');
    this.tx(() => seqs.forEach((s) => st.run(s)));
  }

  /** An op the server skipped (424: it never looked at it): back to how it was before it went out. */
  restoreSendState(seq: number, sent: boolean, attempts: number): void {
    this.sql('UPDATE ops SET sent = ?, attempts = ? WHERE seq = ?').run(sent ? 1 : 0, attempts, seq);
  }

  /** Replaces the body of an op that has not gone out yet (a newer version of the same file); a sent op keeps its payload. */
  updateOpBody<O extends QueuedOp>(op: O, body: O['body']): void {
    this.sql('UPDATE ops SET body = ? WHERE seq = ? AND sent = 0').run(JSON.stringify(body), op.seq);
  }

  removeOp(seq: number): void {
    this.sql('DELETE FROM ops WHERE seq = ?').run(seq);
  }

  recordFailure(op: QueuedOp, code: string, message: string): void {
    const st = this.sql('INSERT OR REPLACE INTO failed_ops (seq, op_id, type, body, code, message, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    st.run(op.seq, op.opId, op.type, JSON.stringify(op.body), code, message, new Date().toISOString());
  }

  failures(): { seq: number; opId: string; type: string; code: string; message: string; at: string }[] {
    return this.sql('SELECT seq, op_id AS opId, type, code, message, at FROM failed_ops ORDER BY seq').all() as {
      seq: number;
      opId: string;
      type: string;
      code: string;
      message: string;
      at: string;
    }[];
  }

  // ── remote changes being applied ──────────────────────────────────────────────────────

  setRemotePending(states: readonly { id: string }[], cursor: string, mode: 'delta' | 'resync'): void {
    this.tx(() => {
      this.sql('DELETE FROM remote_pending').run();
      const st = this.sql('INSERT INTO remote_pending (id, state) VALUES (?, ?)');
      for (const s of states) st.run(s.id, JSON.stringify(s));
      this.setMeta('pending_cursor', cursor);
      this.setMeta('pending_mode', mode);
    });
  }

  remotePending<T>(): { states: T[]; cursor: string; mode: 'delta' | 'resync' } | null {
    const cursor = this.getMeta('pending_cursor');
    if (cursor === null) return null;
    const states = (this.sql('SELECT state FROM remote_pending').all() as { state: string }[]).map((r) => JSON.parse(r.state) as T);
    return { states, cursor, mode: (this.getMeta('pending_mode') as 'delta' | 'resync' | null) ?? 'delta' };
  }

  /** The pending changes are applied: the cursor moves on, in the same transaction. */
  finishRemotePending(): void {
    this.tx(() => {
      const cursor = this.getMeta('pending_cursor');
      if (cursor !== null) this.cursor = cursor;
      this.sql('DELETE FROM remote_pending').run();
      this.setMeta('pending_cursor', null);
      this.setMeta('pending_mode', null);
    });
  }

  // ── conflicts the device settled locally ──────────────────────────────────────────────

  recordLocalConflict(kind: string, path: string, copy: string | null): void {
    this.sql('INSERT INTO local_conflicts (at, kind, path, copy) VALUES (?, ?, ?, ?)').run(new Date().toISOString(), kind, path, copy);
  }

  localConflicts(): { at: string; kind: string; path: string; copy: string | null }[] {
    return this.sql('SELECT at, kind, path, copy FROM local_conflicts ORDER BY n').all() as {
      at: string;
      kind: string;
      path: string;
      copy: string | null;
    }[];
  }
}
