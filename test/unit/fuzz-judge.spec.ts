import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestGenerator, type Generated } from '../fuzz/generate.js';
import { FuzzHttp, type FuzzResponse } from '../fuzz/http.js';
import { documentedErrorCodes, loadOperations } from '../fuzz/openapi.js';
import { Rng } from '../fuzz/random.js';
import { judge } from '../fuzz/runner.js';
import { World } from '../fuzz/world.js';

/** The fuzzer's judge must be able to fail: each rule, shown on a made-up answer. */
describe('fuzzer: the judge of one answer', () => {
  const codes = documentedErrorCodes();
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  function world(): World {
    const w = new World(new FuzzHttp('http://127.0.0.1:1'), 'admin@example.com');
    for (const [i, a] of w.accounts.entries()) {
      a.userId = uuid(100 * (i + 1));
      a.session = { deviceId: uuid(100 * (i + 1) + 1), accessToken: 'a.b.c', refreshToken: 'r' };
      a.devices.add(a.session.deviceId);
      a.learnNode({ id: a.userId, kind: 'folder', deleted: false, path: '/' });
      a.learnNode({ id: uuid(100 * (i + 1) + 2), kind: 'file', deleted: false, path: '/f' });
      a.learnBlock('ab'.repeat(32).slice(0, 62) + String(i).padStart(2, '0'), 10);
      a.cursor = Buffer.from(`1.${a.userId}.3.0`).toString('base64url');
    }
    return w;
  }

  function gen(w: World, over: Partial<Generated>): Generated {
    return {
      op: 'getMetadata',
      mutation: 'valid',
      actor: w.B,
      auth: 'valid',
      secured: true,
      req: { method: 'GET', path: '/v1/files/metadata', headers: [], transport: 'normal' },
      pathParams: {},
      query: {},
      body: undefined,
      ...over,
    };
  }

  function res(status: number | null, json?: unknown): FuzzResponse {
    const body = json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json));
    return { status, headers: json === undefined ? {} : { 'content-type': 'application/json' }, body, json, ms: 1 };
  }

  const err = (status: number, code: string) => ({ statusCode: status, code, message: 'm', requestId: 'r' });

  it('passes a plain answer', () => {
    const w = world();
    expect(judge(gen(w, { query: { id: uuid(202) } }), res(200, { id: uuid(202), name: 'f' }), w, codes)).toEqual([]);
    expect(judge(gen(w, {}), res(404, err(404, 'NODE_NOT_FOUND')), w, codes)).toEqual([]);
  });

  it('fails a 5xx, a request without an answer, and an error without the shape or a documented code', () => {
    const w = world();
    expect(judge(gen(w, {}), res(500, err(500, 'INTERNAL')), w, codes)).toEqual(['500 from the server']);
    expect(judge(gen(w, {}), { ...res(null), error: 'ECONNRESET' }, w, codes)).toEqual(['no answer: ECONNRESET']);
    expect(judge(gen(w, {}), res(400, { message: 'x' }), w, codes)[0]).toMatch(/without the error shape/);
    expect(judge(gen(w, {}), res(400, err(400, 'NOT_A_DOCUMENTED_CODE')), w, codes)).toEqual(['error code NOT_A_DOCUMENTED_CODE is not in docs/errors.md']);
    expect(judge(gen(w, {}), res(400, err(404, 'NODE_NOT_FOUND')), w, codes)).toEqual(['error body says statusCode 404, the status is 400']);
  });

  it('lets a hang-up go when the request was cut on purpose or was too big to answer', () => {
    const w = world();
    const aborted = gen(w, { req: { method: 'PUT', path: '/v1/blocks/x', headers: [], transport: 'abort' } });
    expect(judge(aborted, res(null), w, codes)).toEqual([]);
    expect(judge(gen(w, { mayClose: '70000 bytes of headers' }), res(null), w, codes)).toEqual([]);
    const raw = { op: 'raw', req: { method: 'RAW', path: '', headers: [], body: Buffer.from('GET /health HTTP/1.0\r\n\r\n'), transport: 'raw' as const } };
    expect(judge(gen(w, raw), { ...res(null), error: 'no answer within 2000 ms' }, w, codes)).toEqual(['no answer: no answer within 2000 ms']);
  });

  it('fails a 2xx without a valid token on a secured route, and for a non-admin on an admin route', () => {
    const w = world();
    expect(judge(gen(w, { auth: 'invalid', actor: null }), res(200, {}), w, codes)[0]).toMatch(/without a valid token/);
    expect(judge(gen(w, { auth: 'none', actor: null }), res(200, {}), w, codes)[0]).toMatch(/without a valid token/);
    const admin = { op: 'adminStorage', req: { method: 'GET', path: '/v1/admin/storage', headers: [], transport: 'normal' as const } };
    expect(judge(gen(w, admin), res(200, {}), w, codes)).toEqual(['200 for a non-admin on an admin route']);
    expect(judge(gen(w, { ...admin, actor: w.A }), res(200, {}), w, codes)).toEqual([]);
  });

  it("fails a 2xx that names another account's node, device, block or cursor", () => {
    const w = world();
    const victimFile = uuid(302);
    expect(judge(gen(w, { query: { id: victimFile } }), res(200, {}), w, codes)[0]).toMatch(/naming another account's query id/);
    expect(judge(gen(w, { query: { id: victimFile } }), res(404, err(404, 'NODE_NOT_FOUND')), w, codes)).toEqual([]);
    const device = { op: 'revokeDevice', pathParams: { id: w.V.session!.deviceId } };
    expect(judge(gen(w, device), res(204), w, codes)[0]).toMatch(/path id/);
    const block = { op: 'downloadBlock', pathParams: { hash: [...w.V.blockHashes][0] } };
    expect(judge(gen(w, block), res(200), w, codes)[0]).toMatch(/path hash/);
    const forged = Buffer.from(`1.${w.V.userId}.1.0`).toString('base64url');
    expect(judge(gen(w, { op: 'readDelta', query: { cursor: forged } }), res(200, {}), w, codes)[0]).toMatch(/query cursor/);
    expect(judge(gen(w, { op: 'createFolder', body: { baseCursor: w.A.cursor, name: 'x' } }), res(201, {}), w, codes)[0]).toMatch(/baseCursor/);
  });

  it('fails an upload accepted for bytes that do not hash to its name; anyone may upload bytes they hold', () => {
    const w = world();
    const bytes = Buffer.from('hello');
    const hash = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
    const upload = (h: string) => gen(w, { op: 'uploadBlock', pathParams: { hash: h }, req: { method: 'PUT', path: `/v1/blocks/${h}`, headers: [], body: bytes, transport: 'normal' } });
    expect(judge(upload(hash), res(201, { hash, size: 5, created: true }), w, codes)).toEqual([]);
    const theirs = [...w.V.blockHashes][0]!;
    expect(judge(upload(theirs), res(201, {}), w, codes)).toEqual(['201 for a block upload whose bytes do not hash to its name']);
  });

  it('tells ids of different kinds apart: a node may have the id of some device', () => {
    const w = world();
    const theirDevice = w.V.session!.deviceId;
    const created = { entry: { id: theirDevice, parentId: w.B.userId, name: 'x' } };
    expect(judge(gen(w, { op: 'createFolder', body: { baseCursor: w.B.cursor, id: theirDevice, name: 'x' } }), res(201, created), w, codes)).toEqual([]);
    expect(judge(gen(w, { op: 'updateDevice', pathParams: { id: theirDevice } }), res(200, {}), w, codes)[0]).toMatch(/path id/);
  });

  it("passes a create minting another account's node id (ids are per namespace), not one placed in their folder", () => {
    const w = world();
    const theirs = uuid(302);
    const made = { entry: { id: theirs, parentId: w.B.userId, name: 'x' } };
    expect(judge(gen(w, { op: 'createFolder', body: { baseCursor: w.B.cursor, id: theirs, name: 'x' } }), res(201, made), w, codes)).toEqual([]);
    expect(judge(gen(w, { op: 'commitFile', body: { baseCursor: w.B.cursor, id: theirs, name: 'x', blocks: [], size: 0 } }), res(201, made), w, codes)).toEqual([]);
    expect(judge(gen(w, { op: 'createFolder', body: { baseCursor: w.B.cursor, parentId: theirs, name: 'x' } }), res(201, made), w, codes)[0]).toMatch(/body.parentId/);
    const batch = gen(w, { op: 'batch', body: { ops: [{ type: 'createFolder', baseCursor: w.B.cursor, id: theirs, name: 'a' }, { type: 'delete', baseCursor: w.B.cursor, id: theirs }] } });
    expect(judge(batch, res(200, { results: [{ status: 201 }, { status: 201 }] }), w, codes)[0]).toMatch(/^201 for a request naming another account's body.ops\[1\].id/);
  });

  it('judges each operation of a batch by its own status', () => {
    const w = world();
    const body = { ops: [{ type: 'createFolder', baseCursor: w.B.cursor, name: 'a' }, { type: 'move', baseCursor: w.B.cursor, id: uuid(302) }] };
    const g = gen(w, { op: 'batch', body });
    expect(judge(g, res(200, { results: [{ status: 201 }, { status: 404 }] }), w, codes)).toEqual([]);
    expect(judge(g, res(200, { results: [{ status: 201 }, { status: 201 }] }), w, codes)[0]).toMatch(/^201 for a request naming another account's body.ops\[1\].id/);
  });

  it("reads a commit onto the actor's own file as a new version (its parentId is not read)", () => {
    const w = world();
    const body = { baseCursor: w.B.cursor, id: uuid(202), parentId: uuid(300), blocks: [], size: 0 };
    expect(judge(gen(w, { op: 'commitFile', body }), res(201, {}), w, codes)).toEqual([]);
    const fresh = { ...body, id: uuid(999) };
    expect(judge(gen(w, { op: 'commitFile', body: fresh }), res(201, {}), w, codes)[0]).toMatch(/body.parentId/);
  });

  it("lets a create mint an id another account holds (ids are per account), but not put it in that account's folder", () => {
    const w = world();
    const theirs = uuid(302);
    expect(judge(gen(w, { op: 'createFolder', body: { baseCursor: w.B.cursor, id: theirs, name: 'x' } }), res(201, { entry: { id: theirs } }), w, codes)).toEqual([]);
    const ops = [{ type: 'commit', baseCursor: w.B.cursor, id: theirs, name: 'f', blocks: [], size: 0 }];
    expect(judge(gen(w, { op: 'batch', body: { ops } }), res(200, { results: [{ status: 201 }] }), w, codes)).toEqual([]);
    const into = { baseCursor: w.B.cursor, parentId: w.V.userId, name: 'x' };
    expect(judge(gen(w, { op: 'createFolder', body: into }), res(201, {}), w, codes)[0]).toMatch(/body.parentId/);
  });

  it("fails a check that says the actor has another account's block, and an answer that holds another account's ids", () => {
    const w = world();
    const theirs = [...w.V.blockHashes][0]!;
    const g = gen(w, { op: 'checkBlocks', body: { hashes: [theirs] } });
    expect(judge(g, res(200, { missing: [theirs] }), w, codes)).toEqual([]);
    expect(judge(g, res(200, { missing: [] }), w, codes)[0]).toMatch(/another account's blocks/);
    expect(judge(gen(w, {}), res(200, { entries: [{ id: uuid(302), name: 'x' }] }), w, codes)[0]).toMatch(/holds another account's ids/);
    // A name is the client's own text: a folder may be called like someone's id.
    expect(judge(gen(w, {}), res(200, { entries: [{ id: uuid(202), name: uuid(302) }] }), w, codes)).toEqual([]);
  });
});

describe('fuzzer: generation', () => {
  afterEach(() => vi.useRealTimers());

  it('makes the same request from the same seed and index, and others from others', () => {
    // Forged tokens and mtimes read the clock.
    vi.useFakeTimers({ now: new Date('2026-12-04T12:00:00Z') });
    const w = new World(new FuzzHttp('http://127.0.0.1:1'), 'admin@example.com');
    for (const a of w.accounts) {
      a.userId = new Rng(a.label.charCodeAt(0)).uuid();
      a.session = { deviceId: new Rng(a.label.charCodeAt(0), 1).uuid(), accessToken: 'h.p.s', refreshToken: 'r.s' };
      a.learnNode({ id: a.userId, kind: 'folder', deleted: false, path: '/' });
    }
    const g = new RequestGenerator(w, loadOperations(), { jwtSecret: 'x'.repeat(32), jsonLimitBytes: 1024, accessTtlSeconds: 900 });
    const wire = (x: Generated) => ({ ...x.req, body: x.req.body?.toString('base64') });
    const a = Array.from({ length: 200 }, (_, i) => wire(g.generate(new Rng(7, i))));
    const b = Array.from({ length: 200 }, (_, i) => wire(g.generate(new Rng(7, i))));
    expect(b).toEqual(a);
    const c = Array.from({ length: 200 }, (_, i) => wire(g.generate(new Rng(8, i))));
    expect(c).not.toEqual(a);
    const ops = new Set(Array.from({ length: 2000 }, (_, i) => g.generate(new Rng(7, i)).op));
    expect(ops.size).toBe(loadOperations().length + 2); // every operation, odd routes, raw bytes
  });
});
