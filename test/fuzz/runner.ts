import { FuzzHttp, type FuzzResponse } from './http.js';
import { RequestGenerator, isAdminPath, type Generated } from './generate.js';
import type { MemorySample } from './heap-probe.js';
import { documentedErrorCodes, loadOperations, type Operation } from './openapi.js';
import { Rng } from './random.js';
import { call, expectOk, sha256, type Account, World } from './world.js';

/** The server under test, however it was started. */
export interface FuzzTarget {
  url: string;
  /** Whether the server process is still running. */
  alive(): boolean;
  /** Heap after a full GC and RSS, when the target can measure them. */
  memory?(): Promise<MemorySample>;
  /** Error-level lines the server logged. */
  errorLines?(): string[];
}

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Requests in flight at once; 1 makes a run repeatable from its seed. */
  concurrency?: number;
  /** The admin account's email: it must be in the server's ADMIN_EMAILS. */
  adminEmail: string;
  jwtSecret?: string;
  jsonLimitBytes: number;
  accessTtlSeconds: number;
  /** Memory is measured after this many requests and at the end. */
  warmup?: number;
  /** Heap growth (after GC) between warm-up and the end above which the run fails. */
  maxHeapGrowthBytes?: number;
  /** Stop after this many failures. */
  maxFailures?: number;
  /** Progress lines (every `progressEvery` requests). */
  log?: (line: string) => void;
  progressEvery?: number;
  /** Log every request and its status (for finding what led to a failure). */
  trace?: boolean;
}

export interface Failure {
  index: number;
  reason: string;
  request: string;
  response: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  durationMs: number;
  byClass: Record<string, number>;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  byMutation: Record<string, number>;
  /** Per operation: requests sent and how many were answered 2xx. */
  byOperation: Record<string, { sent: number; ok: number; ms: number }>;
  /** The slowest requests of the run. */
  slowest: { ms: number; request: string; status: number | null }[];
  operations: string[];
  relogins: number;
  /** Devices the fuzzer signed out through its keeper device when an account reached MAX_DEVICES_PER_USER. */
  devicesSignedOut: number;
  /** Requests by A or B (valid token) that named another account's ids, hashes or cursors, by status class. */
  crossAccount: Record<string, number>;
  memory: { warm?: MemorySample; end?: MemorySample };
  serverErrors: string[];
  failures: Failure[];
}

const bump = (m: Record<string, number>, k: string, by = 1) => (m[k] = (m[k] ?? 0) + by);

/**
 * Runs `requests` generated requests against the target and judges every answer: no 5xx, no
 * hang, no undocumented error code, no 2xx without a valid token on a secured route or for a
 * non-admin on an admin route, nothing 2xx that names another account's nodes, devices,
 * conflicts, blocks or cursors, no other account's ids in any answer. At the end: the process
 * is alive, `/health` is ok, the victim account is exactly as it was, and the heap grew less
 * than the bound.
 */
export async function runFuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const http = new FuzzHttp(target.url);
  const ops = loadOperations();
  const codes = documentedErrorCodes();
  const world = new World(http, opts.adminEmail);
  await world.setup();
  const victimBefore = await world.victimSnapshot();
  const gen = new RequestGenerator(world, ops, { jwtSecret: opts.jwtSecret, jsonLimitBytes: opts.jsonLimitBytes, accessTtlSeconds: opts.accessTtlSeconds });

  const report: FuzzReport = {
    seed: opts.seed,
    requests: 0,
    durationMs: 0,
    byClass: {},
    byStatus: {},
    byCode: {},
    byMutation: {},
    byOperation: Object.fromEntries(ops.map((o) => [o.id, { sent: 0, ok: 0, ms: 0 }])),
    slowest: [],
    operations: ops.map((o) => o.id),
    relogins: 0,
    devicesSignedOut: 0,
    crossAccount: {},
    memory: {},
    serverErrors: [],
    failures: [],
  };
  const maxFailures = opts.maxFailures ?? 25;
  const warmup = opts.warmup ?? Math.min(500, Math.floor(opts.requests / 5));
  const fail = (index: number, g: Generated | undefined, res: FuzzResponse | undefined, reason: string) => {
    if (report.failures.length >= maxFailures) return;
    report.failures.push({ index, reason, request: g ? describeRequest(g) : '(none)', response: res ? describeResponse(res) : '(none)' });
  };

  let next = 0;
  let done = 0;
  let warmSampled = false;
  const worker = async () => {
    while (next < opts.requests && report.failures.length < maxFailures && target.alive()) {
      const index = next++;
      for (const a of world.actors) await world.ensureSession(a);
      let g: Generated;
      try {
        g = gen.generate(new Rng(opts.seed, index));
      } catch (err) {
        // The fuzzer's own bug: report it with its index, and go on.
        fail(index, undefined, undefined, `the generator threw: ${(err as Error).stack ?? String(err)}`);
        continue;
      }
      const res = await http.send(g.req);
      record(report, g, res);
      if (opts.trace) opts.log?.(`#${index} ${res.status ?? res.error} ${describeRequest(g).slice(0, 400)}`);
      for (const st of crossAccountStatuses(g, res, world)) bump(report.crossAccount, `${Math.floor(st / 100)}xx`);
      for (const problem of judge(g, res, world, codes)) fail(index, g, res, problem);
      learn(g, res, world);
      done++;
      if (opts.log && opts.progressEvery && done % opts.progressEvery === 0) {
        const s = ((performance.now() - started) / 1000).toFixed(0);
        opts.log(`fuzz: ${done}/${opts.requests} requests, ${s} s, ${JSON.stringify(report.byClass)}`);
      }
      if (!warmSampled && done >= warmup && target.memory) {
        warmSampled = true;
        report.memory.warm = await target.memory();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));
  report.requests = done;

  // After the run: alive, healthy, the victim untouched, memory bounded.
  if (!target.alive()) fail(-1, undefined, undefined, 'the server process exited');
  else {
    const health = await call(http, 'GET', '/health');
    if (health.status !== 200 || health.json?.status !== 'ok') fail(-1, undefined, health, `/health after the run: ${health.status ?? health.error}`);
    await reEnableVictim(world);
    const victimAfter = await world.victimSnapshot();
    if (victimAfter !== victimBefore) fail(-1, undefined, undefined, `the victim account changed:\nbefore ${victimBefore.slice(0, 2000)}\nafter  ${victimAfter.slice(0, 2000)}`);
    if (target.memory) {
      report.memory.end = await target.memory();
      const bound = opts.maxHeapGrowthBytes;
      const warm = report.memory.warm;
      if (bound !== undefined && warm && report.memory.end.heapUsed - warm.heapUsed > bound) {
        fail(-1, undefined, undefined, `heap after GC grew ${mib(report.memory.end.heapUsed - warm.heapUsed)} (bound ${mib(bound)})`);
      }
    }
  }
  report.serverErrors = target.errorLines?.() ?? [];
  for (const line of report.serverErrors.slice(0, 5)) fail(-1, undefined, undefined, `the server logged an error: ${line.slice(0, 1500)}`);
  report.relogins = world.relogins;
  report.devicesSignedOut = world.devicesSignedOut;
  report.durationMs = performance.now() - started;
  http.close();
  return report;
}

/** The admin may have disabled the victim during the run; enable it again to look at it. */
async function reEnableVictim(world: World): Promise<void> {
  await world.ensureSession(world.A);
  await expectOk(call(world.http, 'PATCH', `/v1/admin/users/${world.V.userId}`, { disabled: false }, world.A.session!.accessToken), 'enable the victim');
  world.V.dead = true; // a disabled account's devices were signed out
}

function record(report: FuzzReport, g: Generated, res: FuzzResponse): void {
  const unanswered = g.mayClose ? 'closed' : g.req.transport === 'abort' ? 'aborted' : 'no answer';
  const cls = res.status === null ? unanswered : `${Math.floor(res.status / 100)}xx`;
  bump(report.byClass, cls);
  bump(report.byStatus, String(res.status ?? cls));
  if (res.status !== null && res.status >= 400 && typeof res.json?.code === 'string') bump(report.byCode, res.json.code as string);
  bump(report.byMutation, g.mutation.split(/[:+ ]/)[0]!);
  if (report.slowest.length < 10 || res.ms > report.slowest[report.slowest.length - 1]!.ms) {
    report.slowest.push({ ms: res.ms, request: describeRequest(g).slice(0, 300), status: res.status });
    report.slowest.sort((a, b) => b.ms - a.ms);
    report.slowest.length = Math.min(report.slowest.length, 10);
  }
  const op = report.byOperation[g.op];
  if (op) {
    op.sent++;
    op.ms += res.ms;
    if (res.status !== null && res.status >= 200 && res.status < 300) op.ok++;
  }
}

// ── judging one answer ──────────────────────────────────────────────────────────────────

const ERROR_SHAPE_KEYS = ['statusCode', 'code', 'message', 'requestId'];
/** Keys whose values are free text a client chose (a folder may be named like a UUID). */
const FREE_TEXT_KEYS = new Set(['name', 'path', 'email', 'deviceName', 'opId', 'message', 'search', 'platform']);

export function judge(g: Generated, res: FuzzResponse, world: World, codes: Set<string>): string[] {
  const problems: string[] = [];
  const s = res.status;
  if (s === null && g.mayClose) return problems;
  if (s === null) {
    // Hanging up mid-body gets no answer by design (and `mayClose` says why else there may
    // be none); anything else must be answered.
    if (g.req.transport !== 'abort') problems.push(`no answer: ${res.error}`);
    return problems;
  }
  if (s >= 500) problems.push(`${s} from the server`);
  const ok = s >= 200 && s < 300;
  if (s >= 400 && g.req.method !== 'HEAD' && g.req.transport === 'normal') {
    const ct = String(res.headers['content-type'] ?? '');
    // Node's HTTP parser answers a request it cannot parse (400, 431) with no body at all.
    const fromParser = res.body.length === 0 && ct === '';
    if (!fromParser) {
      const body = res.json as Record<string, unknown> | undefined;
      if (!body || ERROR_SHAPE_KEYS.some((k) => !(k in body))) problems.push(`error answer without the error shape: ${ct} ${res.body.toString('utf8').slice(0, 200)}`);
      else {
        if (body.statusCode !== s) problems.push(`error body says statusCode ${String(body.statusCode)}, the status is ${s}`);
        if (!codes.has(String(body.code))) problems.push(`error code ${String(body.code)} is not in docs/errors.md`);
      }
    }
  }
  if (!ok) return problems;
  const path = g.req.path;
  if (g.secured && g.auth !== 'valid') problems.push(`${s} on a secured route without a valid token (${g.auth})`);
  if (g.actor && !g.actor.admin && isAdminPath(path)) problems.push(`${s} for a non-admin on an admin route`);
  if (!g.actor || (g.actor.admin && isAdminPath(path))) return problems;
  const foreign = foreignOf(g.actor, world);
  // A batch answers 200 with a status per operation: each one naming another account's things must fail.
  const crossOk = crossAccountStatuses(g, res, world).filter((st) => st >= 200 && st < 300);
  if (crossOk.length) problems.push(`${crossOk.join(', ')} for a request naming another account's ${touchedForeign(g, foreign).join(', ')}`);
  if (g.op === 'uploadBlock' && g.req.method === 'PUT' && g.req.transport === 'normal' && typeof g.pathParams.hash === 'string' && sha256(g.req.body ?? Buffer.alloc(0)) !== g.pathParams.hash) {
    problems.push(`${s} for a block upload whose bytes do not hash to its name`);
  }
  if (g.op === 'checkBlocks' && Array.isArray((g.body as any)?.hashes)) {
    const missing = new Set<string>(Array.isArray(res.json?.missing) ? res.json.missing : []);
    const leaked = ((g.body as any).hashes as unknown[]).filter((h): h is string => typeof h === 'string' && foreign.hashes.has(h) && !missing.has(h));
    if (leaked.length) problems.push(`check says the actor has another account's blocks: ${leaked.join(', ')}`);
  }
  // Ids the request itself carried may come back (a folder created with a client-minted id
  // that happens to be some device's); those that select something were judged above.
  const sent = new Set(idsIn([g.pathParams, g.query, g.body]));
  const leakedIds = idsIn(res.json).filter((id) => foreign.ids.has(id) && !sent.has(id));
  if (leakedIds.length) problems.push(`the answer holds another account's ids: ${[...new Set(leakedIds)].slice(0, 5).join(', ')}`);
  return problems;
}

/**
 * The statuses of the parts of an answered request by A or B that named another account's
 * things where they select what it acts on: the request's, or a batch operation's own.
 */
function crossAccountStatuses(g: Generated, res: FuzzResponse, world: World): number[] {
  if (!g.actor || res.status === null || (g.actor.admin && isAdminPath(g.req.path))) return [];
  const foreign = foreignOf(g.actor, world);
  const ops = (g.body as any)?.ops;
  if (g.op === 'batch' && Array.isArray(ops) && res.status === 200) {
    const results: any[] = Array.isArray(res.json?.results) ? res.json.results : [];
    return ops.flatMap((op: unknown, i: number) => (touchedForeign({ ...g, pathParams: {}, query: {}, body: op }, foreign).length ? [Number(results[i]?.status ?? 0)] : []));
  }
  return touchedForeign(g, foreign).length ? [res.status] : [];
}

interface Foreign {
  /** The actor's own ids (a commit onto one of its files ignores the location fields). */
  own: Set<string>;
  /** Other accounts' ids of any kind that the actor does not hold as well. */
  ids: Set<string>;
  nodes: Set<string>;
  devices: Set<string>;
  conflicts: Set<string>;
  hashes: Set<string>;
  cursors: Set<string>;
  namespaces: Set<string>;
}

function foreignOf(actor: Account, world: World): Foreign {
  const own = actor.ownedIds();
  const f: Foreign = { own, ids: new Set(), nodes: new Set(), devices: new Set(), conflicts: new Set(), hashes: new Set(), cursors: new Set(), namespaces: new Set() };
  const add = (to: Set<string>, ids: Iterable<string>) => {
    for (const id of ids) if (!own.has(id)) to.add(id);
  };
  for (const o of world.others(actor)) {
    add(f.ids, o.ownedIds());
    add(f.nodes, o.nodeIds());
    add(f.devices, o.devices.ever);
    add(f.conflicts, o.conflicts.ever);
    // The empty block is everyone's who uploads it.
    for (const h of o.blockHashes) if (!actor.blockHashes.has(h) && h !== EMPTY_SHA256) f.hashes.add(h);
    if (o.cursor) f.cursors.add(o.cursor);
    f.namespaces.add(o.userId);
  }
  return f;
}

/** The namespace a cursor names (its documented shape: base64url of `1.<ns>.<seq>.<skip>`). */
function cursorNamespace(c: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(c)) return undefined;
  const parts = Buffer.from(c, 'base64url').toString('utf8').split('.');
  return parts.length >= 2 ? parts[1] : undefined;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DEVICE_OPS = new Set(['updateDevice', 'revokeDevice']);

/** Other accounts' ids, hashes or cursors in the fields of the request that select what it acts on. */
function touchedForeign(g: Generated, f: Foreign): string[] {
  const hits: string[] = [];
  const kindOfPathId = DEVICE_OPS.has(g.op) ? f.devices : g.op === 'resolveConflict' ? f.conflicts : f.nodes;
  const idIn = (set: Set<string>) => (v: unknown, where: string) => {
    if (typeof v === 'string' && set.has(v)) hits.push(`${where} ${v}`);
  };
  const id = idIn(f.nodes);
  const hash = (v: unknown, where: string) => {
    if (typeof v === 'string' && f.hashes.has(v)) hits.push(`${where} ${v}`);
  };
  const cursor = (v: unknown, where: string) => {
    if (typeof v !== 'string' || !v) return;
    const ns = cursorNamespace(v);
    if (f.cursors.has(v) || (ns !== undefined && f.namespaces.has(ns))) hits.push(`${where} ${v}`);
  };
  // Uploading a block is proving you hold its bytes: anyone may (that the bytes match is checked apart).
  for (const [k, v] of Object.entries(g.pathParams)) {
    if (k === 'hash' && g.op !== 'uploadBlock') hash(v, `path ${k}`);
    if (k === 'id') idIn(kindOfPathId)(v, `path ${k}`);
  }
  for (const [k, v] of Object.entries(g.query)) {
    // A listing's page cursor says which folder it continues; the id is not read then.
    if (k === 'id' && !(g.op === 'listFolder' && g.query.cursor !== undefined)) id(v, `query ${k}`);
    if (k === 'cursor' && g.op === 'readDelta') cursor(v, 'query cursor');
  }
  const walk = (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // A commit naming an existing file of the actor's is a new version of it, where it is:
      // its parentId, name and path are not read.
      const isCommit = o.type === 'commit' || (g.op === 'commitFile' && where === 'body');
      const newVersion = isCommit && typeof o.id === 'string' && f.own.has(o.id);
      // A create's `id` is minted for the new node, and ids are per namespace (docs/security.md):
      // another account's value there names nothing of theirs (test/e2e/id-scope.e2e.spec.ts).
      const minted = (isCommit && !newVersion) || o.type === 'createFolder' || (g.op === 'createFolder' && where === 'body');
      for (const [k, x] of Object.entries(o)) {
        if (k === 'parentId' && newVersion) continue;
        if (k === 'id' && minted) continue;
        if (k === 'id' || k === 'parentId') id(x, `${where}.${k}`);
        else if (k === 'baseCursor') cursor(x, `${where}.${k}`);
        else if (k === 'blocks' && Array.isArray(x)) x.forEach((h) => hash(h, `${where}.blocks`));
        else if (k === 'ops') walk(x, `${where}.ops`);
      }
    }
  };
  walk(g.body, 'body');
  return hits;
}

/** Every string in an answer that is not free text (names, paths, messages). */
function idsIn(v: unknown, out: string[] = [], key = ''): string[] {
  if (typeof v === 'string') {
    if (!FREE_TEXT_KEYS.has(key)) out.push(v);
  } else if (Array.isArray(v)) for (const x of v) idsIn(x, out, key);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) idsIn(x, out, k);
  return out;
}

// ── learning from answers ───────────────────────────────────────────────────────────────

function learn(g: Generated, res: FuzzResponse, world: World): void {
  const s = res.status;
  if (s === null) return;
  const ok = s >= 200 && s < 300;
  const body = res.json;
  if (g.op === 'refresh') return learnRefresh(g, res, world);
  if (g.op === 'login' && ok) {
    const a = world.accounts.find((x) => x.email.toLowerCase() === String((g.body as any)?.email ?? '').toLowerCase());
    if (a && body?.deviceId) {
      a.devices.add(body.deviceId);
      a.refreshTokens.add(body.tokens?.refreshToken);
    }
    return;
  }
  const a = g.actor;
  if (!a) return;
  // With requests in flight, an answer may be about a session already replaced.
  const current = a.session?.accessToken === g.sessionToken;
  if (!current) return;
  if (s === 401 && ['DEVICE_REVOKED', 'TOKEN_EXPIRED', 'TOKEN_INVALID'].includes(body?.code)) a.dead = true;
  if (s === 403 && body?.code === 'ACCOUNT_DISABLED') a.dead = true;
  if (!ok) return;
  if (g.op === 'logout') a.dead = true;
  if (g.op === 'revokeDevice' && g.pathParams.id === a.session?.deviceId) a.dead = true;
  if (g.op === 'uploadBlock' && g.upload && g.pathParams.hash === g.upload.hash) a.learnBlock(g.upload.hash, g.upload.size);
  // A pack's answer names each block it stored for the actor.
  if (g.op === 'uploadBlockPack' && Array.isArray(body?.results)) {
    for (const r of body.results) if (typeof r?.hash === 'string' && typeof r?.size === 'number') a.learnBlock(r.hash, r.size);
  }
  if (g.op === 'latestCursor' && typeof body?.cursor === 'string') a.cursor = body.cursor;
  if (g.op === 'readDelta' && typeof body?.cursor === 'string' && cursorNamespace(body.cursor) === a.userId) a.cursor = body.cursor;
  if (['listFolder', 'listTrash', 'listConflicts'].includes(g.op) && body?.hasMore) a.learnPageCursor(g.op, body.cursor);
  if (g.op === 'listDevices' && Array.isArray(body)) for (const d of body) if (typeof d?.id === 'string' && d.id !== a.keeper?.deviceId) a.devices.add(d.id);
  if (g.op === 'listConflicts' && Array.isArray(body?.entries)) for (const c of body.entries) if (typeof c?.id === 'string') a.conflicts.add(c.id);
  if (g.op === 'listRevisions' && Array.isArray(body) && typeof g.query.id === 'string') for (const r of body) a.learnRevision(g.query.id, r?.revision);
  const results = g.op === 'batch' && Array.isArray(body?.results) ? body.results.map((r: any) => r?.result) : [body];
  for (const r of results) {
    if (!r || typeof r !== 'object') continue;
    for (const c of Array.isArray(r.conflicts) ? r.conflicts : []) if (typeof c?.id === 'string') a.conflicts.add(c.id);
    if (r.entry && typeof r.seq === 'number' && r.entry.kind === 'file') a.learnRevision(r.entry.id, r.seq);
  }
  if (typeof (g.body as any)?.opId === 'string') a.opIds.add((g.body as any).opId);
  learnNodes(body, a, 0);
}

/** Nodes anywhere in an answer (entries, changes, pages). */
function learnNodes(v: unknown, a: Account, depth: number): void {
  if (depth > 6 || !v || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) learnNodes(x, a, depth + 1);
    return;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.id === 'string' && (o.kind === 'file' || o.kind === 'folder') && 'deleted' in o) a.learnNode(o);
  for (const x of Object.values(o)) if (x && typeof x === 'object') learnNodes(x, a, depth + 1);
}

function learnRefresh(g: Generated, res: FuzzResponse, world: World): void {
  const token = (g.body as any)?.refreshToken;
  if (typeof token !== 'string') return;
  const a = world.accounts.find((x) => x.session?.refreshToken === token);
  if (!a) return;
  if (res.status === 200 && res.json?.tokens) {
    a.session = { deviceId: res.json.deviceId, accessToken: res.json.tokens.accessToken, refreshToken: res.json.tokens.refreshToken };
    a.refreshTokens.add(res.json.tokens.refreshToken);
  } else if (res.status === 401 && res.json?.code === 'REFRESH_TOKEN_REUSED') a.dead = true;
}

// ── printing ────────────────────────────────────────────────────────────────────────────

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

export function describeRequest(g: Generated): string {
  const r = g.req;
  const body = r.body ? JSON.stringify(r.body.toString('latin1') === r.body.toString('utf8') ? r.body.toString('utf8') : `base64:${r.body.toString('base64')}`) : '(no body)';
  const headers = r.headers.map(([k, v]) => `${k}: ${clip(v, 120)}`).join(' | ');
  return `${g.op} [${g.mutation}] as ${g.actor?.label ?? '-'} (${g.auth}), ${r.transport}: ${r.method} ${clip(r.path, 400)} | ${headers} | body ${clip(body, 1200)}`;
}

function describeResponse(res: FuzzResponse): string {
  return `${res.status ?? res.error} ${clip(res.body.toString('utf8'), 600)}`;
}

export function mib(n: number): string {
  return `${n < 0 ? '-' : '+'}${(Math.abs(n) / 1024 / 1024).toFixed(1)} MiB`;
}

/** A readable summary of a report. */
export function formatReport(r: FuzzReport, operations: Operation[] = []): string {
  const lines: string[] = [];
  const sec = (r.durationMs / 1000).toFixed(1);
  lines.push(`fuzz: seed ${r.seed}, ${r.requests} requests in ${sec} s (${(r.requests / (r.durationMs / 1000)).toFixed(0)}/s), ${r.relogins} re-logins, ${r.devicesSignedOut} devices signed out at the device limit`);
  lines.push(`  by class:  ${Object.entries(r.byClass).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  by status: ${Object.entries(r.byStatus).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  by mutation: ${Object.entries(r.byMutation).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  naming another account's ids, blocks or cursors: ${Object.entries(r.crossAccount).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} (a 2xx there is a failure)`);
  lines.push(`  error codes: ${Object.entries(r.byCode).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const noOk = Object.entries(r.byOperation).filter(([, v]) => v.ok === 0).map(([k]) => k);
  lines.push(`  operations: ${Object.keys(r.byOperation).length}${operations.length ? ` of ${operations.length}` : ''}; never answered 2xx: ${noOk.join(', ') || 'none'}`);
  const { warm, end } = r.memory;
  if (warm && end) {
    lines.push(`  memory (heap after GC / RSS): after warm-up ${mib(warm.heapUsed).slice(1)} / ${mib(warm.rss).slice(1)}, at the end ${mib(end.heapUsed).slice(1)} / ${mib(end.rss).slice(1)} (heap ${mib(end.heapUsed - warm.heapUsed)}, RSS ${mib(end.rss - warm.rss)})`);
  }
  const perOp = Object.entries(r.byOperation)
    .filter(([, v]) => v.sent > 0)
    .sort((a, b) => b[1].ms / b[1].sent - a[1].ms / a[1].sent)
    .slice(0, 5)
    .map(([k, v]) => `${k} ${(v.ms / v.sent).toFixed(0)} ms`);
  lines.push(`  slowest operations on average: ${perOp.join(', ')}`);
  for (const x of r.slowest.slice(0, 3)) lines.push(`    ${x.ms.toFixed(0)} ms → ${x.status ?? 'no answer'}: ${x.request}`);
  lines.push(`  server error log lines: ${r.serverErrors.length}`);
  lines.push(`  failures: ${r.failures.length}`);
  for (const f of r.failures) {
    lines.push(`  ✗ #${f.index}: ${f.reason}`);
    lines.push(`      request:  ${f.request}`);
    lines.push(`      response: ${f.response}`);
  }
  return lines.join('\n');
}
