import { createHash, randomBytes } from 'node:crypto';
import type { FuzzHttp, FuzzResponse } from './http.js';

/** A session of an account, as the fuzzer holds it. */
export interface Session {
  deviceId: string;
  accessToken: string;
  refreshToken: string;
}

export interface KnownNode {
  id: string;
  kind: 'file' | 'folder';
  deleted: boolean;
  path: string | null;
}

export interface KnownBlock {
  hash: string;
  size: number;
}

/** Bounded list: the newest `max` values, no duplicates — and every value it ever held. */
class Recent<T> {
  private readonly items: T[] = [];
  readonly ever = new Set<T>();
  constructor(private readonly max: number) {}
  add(v: T): void {
    this.ever.add(v);
    const i = this.items.indexOf(v);
    if (i >= 0) this.items.splice(i, 1);
    this.items.push(v);
    if (this.items.length > this.max) this.items.shift();
  }
  remove(v: T): void {
    const i = this.items.indexOf(v);
    if (i >= 0) this.items.splice(i, 1);
  }
  get all(): readonly T[] {
    return this.items;
  }
  get size(): number {
    return this.items.length;
  }
}

/**
 * An account the fuzzer knows: what it owns (node, device, conflict ids, blocks, cursors)
 * learned from the answers it got. `A` is an admin, `B` a plain user — both send requests;
 * `V`, the victim, never does: its ids are what A and B must not be able to touch.
 */
export class Account {
  userId = '';
  session: Session | null = null;
  /**
   * A device the fuzz requests never use or name: when the account reaches
   * MAX_DEVICES_PER_USER, the fuzzer signs the other devices out through it and logs in again.
   */
  keeper: Session | null = null;
  /** Set when an answer showed the session is gone (logout, revoked, expired). */
  dead = false;
  readonly nodes = new Map<string, KnownNode>();
  readonly folders = new Recent<string>(200);
  readonly files = new Recent<string>(200);
  readonly trashed = new Recent<string>(200);
  readonly paths = new Recent<string>(200);
  readonly devices = new Recent<string>(50);
  readonly conflicts = new Recent<string>(100);
  readonly blocks = new Recent<KnownBlock>(200);
  readonly blockHashes = new Set<string>();
  readonly revisions = new Map<string, number[]>();
  readonly refreshTokens = new Recent<string>(20);
  readonly opIds = new Recent<string>(50);
  /** Page cursors the server handed out, by operation. */
  readonly pageCursors = new Map<string, Recent<string>>();
  cursor = '';

  constructor(
    readonly label: 'A' | 'B' | 'V',
    readonly email: string,
    readonly password: string,
    readonly admin: boolean,
  ) {}

  /** Bytes only this account ever uploads (so no one else can own the same block by chance). */
  freshBlockBytes(extra: Buffer): Buffer {
    return Buffer.concat([Buffer.from(`${this.label}:${this.email}:`), extra]);
  }

  learnNode(e: any): void {
    if (!e || typeof e.id !== 'string' || (e.kind !== 'file' && e.kind !== 'folder')) return;
    const n: KnownNode = { id: e.id, kind: e.kind, deleted: e.deleted === true, path: typeof e.path === 'string' ? e.path : null };
    this.nodes.set(n.id, n);
    for (const list of [this.folders, this.files, this.trashed]) list.remove(n.id);
    if (n.deleted) this.trashed.add(n.id);
    else (n.kind === 'folder' ? this.folders : this.files).add(n.id);
    if (n.path && !n.deleted) this.paths.add(n.path);
    if (n.id === this.userId) this.folders.add(n.id);
  }

  learnRevision(fileId: string, revision: unknown): void {
    if (typeof revision !== 'number') return;
    const list = this.revisions.get(fileId) ?? [];
    if (!list.includes(revision)) list.push(revision);
    if (list.length > 20) list.shift();
    this.revisions.set(fileId, list);
  }

  learnPageCursor(op: string, cursor: unknown): void {
    if (typeof cursor !== 'string') return;
    let r = this.pageCursors.get(op);
    if (!r) this.pageCursors.set(op, (r = new Recent<string>(10)));
    r.add(cursor);
  }

  learnBlock(hash: string, size: number): void {
    if (this.blockHashes.has(hash)) return;
    this.blockHashes.add(hash);
    this.blocks.add({ hash, size });
  }

  /** Every node id this account owns (its root's is its user id). */
  nodeIds(): Set<string> {
    return new Set([this.userId, ...this.nodes.keys()]);
  }

  /** Every id this account owns: nodes, devices, conflicts (ids of different kinds may be equal: a client mints node ids). */
  ownedIds(): Set<string> {
    return new Set([...this.nodeIds(), ...this.devices.ever, ...this.conflicts.ever, ...(this.keeper ? [this.keeper.deviceId] : [])]);
  }
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A password the policy accepts (random, long) — it is never a word. */
export function strongPassword(): string {
  return `Fz-${randomBytes(18).toString('base64url')}`;
}

/** JSON request through the fuzz client, for setup and re-login (not counted as fuzz). */
export async function call(http: FuzzHttp, method: string, path: string, body?: unknown, token?: string): Promise<FuzzResponse> {
  const headers: [string, string][] = [];
  if (token) headers.push(['authorization', `Bearer ${token}`]);
  let raw: Buffer | undefined;
  if (body !== undefined) {
    headers.push(['content-type', 'application/json']);
    raw = Buffer.from(JSON.stringify(body));
  }
  return http.send({ method, path, headers, ...(raw ? { body: raw } : {}), transport: 'normal' });
}

export async function expectOk(res: Promise<FuzzResponse>, what: string): Promise<any> {
  const r = await res;
  if (r.status === null || r.status >= 300) throw new Error(`${what}: ${r.status ?? r.error} ${r.body.toString('utf8').slice(0, 500)}`);
  return r.json;
}

/** The three accounts and how to keep A's and B's sessions alive while the fuzzer breaks them. */
export class World {
  readonly A: Account;
  readonly B: Account;
  readonly V: Account;
  relogins = 0;

  constructor(
    readonly http: FuzzHttp,
    readonly adminEmail: string,
  ) {
    const tag = randomBytes(4).toString('hex');
    this.A = new Account('A', adminEmail, strongPassword(), true);
    this.B = new Account('B', `fuzz-b-${tag}@example.com`, strongPassword(), false);
    this.V = new Account('V', `fuzz-v-${tag}@example.com`, strongPassword(), false);
  }

  get actors(): Account[] {
    return [this.A, this.B];
  }

  get accounts(): Account[] {
    return [this.A, this.B, this.V];
  }

  /** Every account but `a`. */
  others(a: Account): Account[] {
    return this.accounts.filter((x) => x !== a);
  }

  /** Registers the accounts and gives each folders, files, versions, a trashed file, a conflict. */
  async setup(): Promise<void> {
    for (const a of this.accounts) {
      const reg = await expectOk(
        call(this.http, 'POST', '/v1/auth/register', { email: a.email, password: a.password, deviceName: `fuzz ${a.label}`, platform: 'linux' }),
        `register ${a.label}`,
      );
      a.userId = reg.user.id;
      a.session = { deviceId: reg.deviceId, accessToken: reg.tokens.accessToken, refreshToken: reg.tokens.refreshToken };
      a.devices.add(reg.deviceId);
      a.refreshTokens.add(reg.tokens.refreshToken);
      a.learnNode({ id: a.userId, kind: 'folder', deleted: false, path: '/' });
      const second = await expectOk(
        call(this.http, 'POST', '/v1/auth/login', { email: a.email, password: a.password, deviceName: `fuzz ${a.label} 2`, platform: 'android' }),
        `login ${a.label}`,
      );
      a.devices.add(second.deviceId);
      if (a !== this.V) {
        const keeper = await expectOk(
          call(this.http, 'POST', '/v1/auth/login', { email: a.email, password: a.password, deviceName: `fuzz ${a.label} keeper`, platform: 'other' }),
          `login ${a.label} keeper`,
        );
        a.keeper = { deviceId: keeper.deviceId, accessToken: keeper.tokens.accessToken, refreshToken: keeper.tokens.refreshToken };
      }
      await this.seed(a);
    }
    if (this.A.conflicts.size === 0 || this.V.conflicts.size === 0) throw new Error('setup made no conflict record: the fuzzer would not reach resolveConflict');
  }

  private async seed(a: Account): Promise<void> {
    const token = a.session!.accessToken;
    const write = async (p: string, body: Record<string, unknown>) => {
      const r = await expectOk(call(this.http, 'POST', p, { baseCursor: a.cursor, ...body }, token), `${a.label} ${p}`);
      a.learnNode(r.entry);
      for (const c of r.conflicts ?? []) a.conflicts.add(c.id);
      return r;
    };
    const upload = async () => {
      const bytes = a.freshBlockBytes(randomBytes(64));
      const hash = sha256(bytes);
      await expectOk(
        this.http.send({ method: 'PUT', path: `/v1/blocks/${hash}`, headers: [['authorization', `Bearer ${token}`], ['content-type', 'application/octet-stream']], body: bytes, transport: 'normal' }),
        `${a.label} upload`,
      );
      a.learnBlock(hash, bytes.length);
      return { hash, size: bytes.length };
    };
    a.cursor = (await expectOk(call(this.http, 'GET', '/v1/delta/latest', undefined, token), 'latest')).cursor;
    const stale = a.cursor;
    await write('/v1/folders', { path: '/docs' });
    await write('/v1/folders', { path: '/docs/sub' });
    const b1 = await upload();
    const file = await write('/v1/files/commit', { path: '/docs/a.txt', blocks: [b1.hash], size: b1.size });
    a.learnRevision(file.entry.id, file.seq);
    const b2 = await upload();
    const v2 = await write('/v1/files/commit', { id: file.entry.id, path: '/docs/a.txt', blocks: [b2.hash], size: b2.size });
    a.learnRevision(file.entry.id, v2.seq);
    const gone = await write('/v1/files/commit', { path: '/b.txt', blocks: [], size: 0 });
    await write('/v1/files/delete', { id: gone.entry.id });
    await write('/v1/folders', { path: '/Same' });
    // The same name from a device that had not seen the first: a NAME_COLLISION record.
    const r = await expectOk(call(this.http, 'POST', '/v1/folders', { baseCursor: stale, path: '/same' }, token), `${a.label} collision`);
    a.learnNode(r.entry);
    for (const c of r.conflicts ?? []) a.conflicts.add(c.id);
    a.cursor = (await expectOk(call(this.http, 'GET', '/v1/delta/latest', undefined, token), 'latest')).cursor;
  }

  private readonly logins = new Map<Account, Promise<void>>();

  /** Logs in again when the fuzzer signed the session out (or it expired); one login at a time per account. */
  async ensureSession(a: Account): Promise<void> {
    if (!a.dead && a.session) return;
    let p = this.logins.get(a);
    if (!p) {
      p = this.login(a).finally(() => this.logins.delete(a));
      this.logins.set(a, p);
    }
    return p;
  }

  private async login(a: Account): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const r = await call(this.http, 'POST', '/v1/auth/login', { email: a.email, password: a.password, deviceName: `fuzz ${a.label} again`, platform: 'cli' });
      if (r.status === 200) {
        a.session = { deviceId: r.json.deviceId, accessToken: r.json.tokens.accessToken, refreshToken: r.json.tokens.refreshToken };
        a.devices.add(r.json.deviceId);
        a.refreshTokens.add(r.json.tokens.refreshToken);
        a.dead = false;
        this.relogins++;
        return;
      }
      if (r.status === 409 && r.json?.code === 'DEVICE_LIMIT' && attempt < 3) {
        await this.signOutDevices(a);
        continue;
      }
      // The auth rate limit: wait as told. Anything else is the fuzzer's own bug.
      if (r.status === 429 && attempt < 20) {
        await new Promise((res) => setTimeout(res, Math.min(Number(r.headers['retry-after'] ?? 1), 10) * 1000));
        continue;
      }
      throw new Error(`re-login of ${a.label} failed: ${r.status ?? r.error} ${r.body.toString('utf8').slice(0, 300)}`);
    }
  }

  devicesSignedOut = 0;

  /** Signs out every device of the account but the keeper (refreshing the keeper's token when it expired). */
  private async signOutDevices(a: Account): Promise<void> {
    const k = a.keeper;
    if (!k) throw new Error(`${a.label} reached the device limit and has no keeper device`);
    let list = await call(this.http, 'GET', '/v1/devices', undefined, k.accessToken);
    if (list.status === 401) {
      const r = await expectOk(call(this.http, 'POST', '/v1/auth/refresh', { refreshToken: k.refreshToken }), `refresh ${a.label} keeper`);
      a.keeper = { deviceId: k.deviceId, accessToken: r.tokens.accessToken, refreshToken: r.tokens.refreshToken };
      list = await call(this.http, 'GET', '/v1/devices', undefined, a.keeper.accessToken);
    }
    if (list.status !== 200) throw new Error(`${a.label} keeper cannot list devices: ${list.status} ${list.body.toString('utf8').slice(0, 300)}`);
    for (const d of list.json as { id: string; revokedAt: string | null }[]) {
      if (d.revokedAt || d.id === a.keeper!.deviceId) continue;
      await expectOk(call(this.http, 'DELETE', `/v1/devices/${d.id}`, undefined, a.keeper!.accessToken), `${a.label} keeper signs out ${d.id}`);
      this.devicesSignedOut++;
    }
  }

  /** What the victim's account looks like through its own eyes (to compare before and after). */
  async victimSnapshot(): Promise<string> {
    const V = this.V;
    await this.ensureSession(V);
    const token = V.session!.accessToken;
    const get = (p: string) => expectOk(call(this.http, 'GET', p, undefined, token), `victim ${p}`);
    const latest = await get('/v1/delta/latest');
    const tree = await get('/v1/files/list?path=%2F&recursive=true&limit=2000');
    const trash = await get('/v1/trash');
    const conflicts = await get('/v1/conflicts');
    const blocks: string[] = [];
    for (const b of V.blocks.all) {
      const r = await this.http.send({ method: 'GET', path: `/v1/blocks/${b.hash}`, headers: [['authorization', `Bearer ${token}`]], transport: 'normal' });
      blocks.push(`${b.hash}:${r.status}:${sha256(r.body)}`);
    }
    return JSON.stringify({ latest, tree, trash, conflicts, blocks });
  }
}
