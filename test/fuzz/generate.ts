import { gzipSync, deflateSync } from 'node:zlib';
import type { FuzzRequest } from './http.js';
import type { Operation, Parameter, Schema } from './openapi.js';
import type { Rng } from './random.js';
import {
  anyName,
  bogusCursor,
  bogusHash,
  bogusId,
  boundaryNumber,
  deepJson,
  hostileString,
  niceName,
  randomCodePoints,
  randomJson,
  RAW_NUMBERS,
  signJwt,
  wrongTypeValue,
} from './values.js';
import { encodePack } from '../../src/shared/block-pack.js';
import { sha256, type Account, type World } from './world.js';

/** What one generated request is, besides its bytes: enough to judge the answer and to learn from it. */
export interface Generated {
  op: string;
  /** How it was made: `valid`, `field:<slot>:<how>`, `body:<how>`, `header:<how>`, `auth:<how>`, `route:<how>`, `raw:<how>`, `abort`. */
  mutation: string;
  /** Whose token it carries (a real, current one), if any. */
  actor: Account | null;
  /** `valid`: the actor's real token in a correct header; `none`: no header; `invalid`: anything else. */
  auth: 'valid' | 'none' | 'invalid';
  secured: boolean;
  req: FuzzRequest;
  /** The structured values that went into the request (the raw bytes may differ in form). */
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  /** For uploads: the block this request would store. */
  upload?: { hash: string; size: number };
  /** Why the server may rightly close the connection without an answer. */
  mayClose?: string;
  /** The access token of the actor's session when the request was made (answers for an older session say nothing about the current one). */
  sessionToken?: string;
}

/**
 * Raw requests that may rightly get no answer: incomplete ones (the server waits for the rest
 * until its timeout), CONNECT and upgrades (handed to their handlers, which may just close),
 * and bytes that may not even end a request line. Every other raw request must be answered.
 */
const RAW_MAY_GO_UNANSWERED = new Set(['http/0.9', 'short body', 'connect', 'upgrade websocket', 'upgrade elsewhere', 'random bytes', 'no version']);

/** Node's limit on a request's header block (`--max-http-header-size`): over it, the server answers 431 and closes. */
const MAX_HEADER_BYTES = 16 * 1024;

export interface GenerateOptions {
  /** The server's JWT secret, to forge tokens with odd claims (optional). */
  jwtSecret?: string;
  /** JSON_BODY_LIMIT_KB in bytes, to send bodies just over it now and then. */
  jsonLimitBytes: number;
  /** ACCESS_TOKEN_TTL_SECONDS, for forged lifetimes just inside and outside it. */
  accessTtlSeconds: number;
}

const ADMIN_PREFIX = '/v1/admin';
const BLOCK_SIZE = 4 * 1024 * 1024;

/** A place in a request a mutation can change: a parameter or a (nested) body field. */
interface Slot {
  name: string;
  label: string;
  schema: Schema;
  required: boolean;
  get(): unknown;
  set(v: unknown): void;
  remove(): void;
}

export class RequestGenerator {
  constructor(
    private readonly world: World,
    private readonly ops: Operation[],
    private readonly opts: GenerateOptions,
  ) {}

  generate(rng: Rng): Generated {
    const top = rng.weighted({ op: 94, route: 4, raw: 2 });
    if (top === 'raw') return this.rawHttp(rng);
    const g = top === 'route' ? this.oddRoute(rng) : this.forOperation(rng, rng.pick(this.ops));
    // Over the limit the server answers 431 and closes at once, and the reset of a socket
    // still being written to can overtake that answer.
    const headerBytes = g.req.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, g.req.path.length);
    return headerBytes > MAX_HEADER_BYTES ? { ...g, mayClose: `${headerBytes} bytes of headers` } : g;
  }

  // ── requests for an operation of the spec ──────────────────────────────────────────────

  private forOperation(rng: Rng, op: Operation): Generated {
    const actor = rng.pick(this.world.actors);
    const g = new ValueContext(rng, this.world, actor, op);
    const pathParams: Record<string, unknown> = {};
    const query: Record<string, unknown> = {};
    for (const p of op.params) {
      const v = g.valueFor(p.name, p.schema, p.in);
      if (v === undefined) continue;
      if (p.in === 'path') pathParams[p.name] = v;
      else if (p.in === 'query') query[p.name] = v;
    }
    g.fixQuery(query);
    let body: unknown = undefined;
    let upload: Generated['upload'];
    if (op.id === 'uploadBlock') {
      const u = g.uploadBody();
      upload = { hash: u.hash, size: u.bytes.length };
      if (pathParams.hash === undefined || rng.chance(0.8)) pathParams.hash = u.hash;
      body = u.bytes;
    } else if (op.id === 'uploadBlockPack') {
      // A pack of a few of the actor's own blocks: table, then the bytes (src/shared/block-pack.ts).
      const blocks = Array.from({ length: rng.int(1, 4) }, () => g.uploadBody());
      body = encodePack(blocks.map((b) => ({ hash: b.hash, data: b.bytes })));
    } else if (op.body) {
      body = g.valueFor('$body', op.body.schema, 'body');
    }

    const mutation = rng.weighted({ valid: 34, field: 34, missing: 5, extra: 5, body: 8, header: 8, abort: 2, method: 2, path: 2 });
    const slots = this.slots(op, pathParams, query, body);
    let how: string = mutation;
    const extraHeaders: [string, string][] = [];
    let rawBody: Buffer | undefined;
    let transport: FuzzRequest['transport'] = 'normal';
    let method = op.method;
    let rawPath: string | undefined;
    let contentType: string | undefined = op.body?.contentType;

    switch (mutation) {
      case 'valid':
        break;
      case 'field': {
        const slot = slots.length ? rng.pick(slots) : undefined;
        if (!slot) break;
        const kind = g.mutateSlot(slot);
        how = `field:${slot.label}:${kind}`;
        break;
      }
      case 'missing': {
        const req = slots.filter((s) => s.required && s.get() !== undefined);
        const slot = req.length ? rng.pick(req) : slots.length ? rng.pick(slots) : undefined;
        if (slot) {
          slot.remove();
          how = `missing:${slot.label}`;
        }
        break;
      }
      case 'extra': {
        const key = rng.pick(['extra', '__proto__', 'constructor', '$where', 'userId', 'ns', 'role', '', 'id ', 'ID', '\u0000']);
        const val = randomJson(rng, 2);
        if (body && typeof body === 'object' && !Buffer.isBuffer(body) && !Array.isArray(body)) {
          Object.defineProperty(body, key, { value: val, enumerable: true, writable: true, configurable: true });
        } else query[key] = typeof val === 'string' ? val : JSON.stringify(val);
        how = `extra:${JSON.stringify(key)}`;
        break;
      }
      case 'body': {
        const r = this.oddBody(rng, body);
        rawBody = r.bytes;
        if (r.contentType !== undefined) contentType = r.contentType;
        how = `body:${r.how}`;
        break;
      }
      case 'header': {
        const h = this.oddHeaders(rng, op, body);
        extraHeaders.push(...h.headers);
        if (h.contentType !== undefined) contentType = h.contentType === '' ? undefined : h.contentType;
        if (h.body) rawBody = h.body;
        how = `header:${h.how}`;
        break;
      }
      case 'abort':
        transport = 'abort';
        break;
      case 'method':
        method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].filter((m) => m !== op.method));
        how = `method:${method}`;
        break;
      case 'path':
        rawPath = rng.pick(['%', '%zz', '%c0%af', '%ed%a0%80', '%00', '..%2f..%2f', '%2e%2e', '%252e', '%ff%fe', ';x=1', '#frag', '/', '//']);
        how = `path:${rawPath}`;
        break;
    }

    // Serialise: path, query, body, headers.
    let path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (pathParams[name] === undefined ? '' : pct(text(pathParams[name]))));
    if (rawPath !== undefined) path += op.path.includes('{') && rng.chance(0.7) ? rawPath : `/${rawPath}`;
    const qs = serializeQuery(query);
    if (qs) path += `?${qs}`;

    let bytes: Buffer | undefined = rawBody;
    if (bytes === undefined && body !== undefined) bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8');
    if (transport === 'abort' && (!bytes || bytes.length < 2)) bytes = Buffer.from(JSON.stringify({ pad: 'x'.repeat(4096) }));

    const auth = this.authHeader(rng, actor, op.secured);
    const headers: [string, string][] = [...auth.headers];
    if (contentType !== undefined && bytes !== undefined) headers.push(['content-type', contentType]);
    headers.push(...extraHeaders);

    return {
      op: op.id,
      mutation: auth.how ? `${how}+auth:${auth.how}` : how,
      sessionToken: actor.session!.accessToken,
      actor: auth.kind === 'valid' ? actor : null,
      auth: auth.kind,
      secured: op.secured,
      req: { method, path, headers, ...(bytes !== undefined ? { body: bytes } : {}), transport },
      pathParams,
      query,
      body: Buffer.isBuffer(body) ? undefined : body,
      ...(upload ? { upload } : {}),
    };
  }

  /** Every parameter and body field, nested into batch operations and arrays. */
  private slots(op: Operation, pathParams: Record<string, unknown>, query: Record<string, unknown>, body: unknown): Slot[] {
    const out: Slot[] = [];
    const add = (p: Parameter, bag: Record<string, unknown>) =>
      out.push({
        name: p.name,
        label: `${p.in}.${p.name}`,
        schema: p.schema,
        required: p.required,
        get: () => bag[p.name],
        set: (v) => (bag[p.name] = v),
        remove: () => delete bag[p.name],
      });
    for (const p of op.params) {
      if (p.in === 'path') add(p, pathParams);
      else if (p.in === 'query') add(p, query);
    }
    const walk = (obj: Record<string, unknown>, schema: Schema, label: string, depth: number) => {
      const props = schema.properties ?? {};
      for (const [k, s] of Object.entries(props)) {
        out.push({
          name: k,
          label: `${label}.${k}`,
          schema: s,
          required: (schema.required ?? []).includes(k),
          get: () => obj[k],
          set: (v) => (obj[k] = v),
          remove: () => delete obj[k],
        });
        const v = obj[k];
        if (depth < 2 && Array.isArray(v) && s.items) {
          v.slice(0, 3).forEach((item, i) => {
            const itemSchema = s.items!.oneOf ? (s.items!.oneOf.find((o) => o.properties?.type?.enum?.[0] === (item)?.type) ?? s.items!) : s.items!;
            if (item && typeof item === 'object' && !Array.isArray(item)) walk(item as Record<string, unknown>, itemSchema, `${label}.${k}[${i}]`, depth + 1);
            else
              out.push({
                name: `${k}[]`,
                label: `${label}.${k}[${i}]`,
                schema: itemSchema,
                required: false,
                get: () => v[i],
                set: (x) => (v[i] = x),
                remove: () => v.splice(i, 1),
              });
          });
        }
      }
    };
    if (op.body && body && typeof body === 'object' && !Buffer.isBuffer(body) && !Array.isArray(body)) {
      walk(body as Record<string, unknown>, op.body.schema, 'body', 0);
    }
    return out;
  }

  // ── authentication ─────────────────────────────────────────────────────────────────────

  private authHeader(rng: Rng, actor: Account, secured: boolean): { kind: Generated['auth']; headers: [string, string][]; how?: string } {
    const token = actor.session!.accessToken;
    const roll = rng.next();
    // Public routes mostly go without a token; a token there must not matter.
    if (!secured && roll < 0.7) return { kind: 'none', headers: [] };
    if (roll < 0.8) {
      // The scheme is case-insensitive (RFC 7235); HTTP strips the spaces around a field value;
      // Node keeps the first of two Authorization headers.
      const v = rng.weighted({ Bearer: 36, bearer: 1, BEARER: 1, 'trailing space': 1, duplicate: 1 });
      const other = rng.pick(this.world.others(actor)).session?.accessToken ?? 'x.y.z';
      const headers: [string, string][] =
        v === 'trailing space'
          ? [['authorization', `Bearer ${token} \t`]]
          : v === 'duplicate'
            ? [['authorization', `Bearer ${token}`], ['authorization', `Bearer ${other}`]]
            : [['authorization', `${v} ${token}`]];
      return { kind: 'valid', headers, ...(v === 'Bearer' ? {} : { how: v }) };
    }
    if (roll < 0.87) return { kind: 'none', headers: [], how: 'none' };
    const other = rng.pick(this.world.others(actor));
    const v = rng.int(0, 18);
    const jwt = this.forgedJwt(rng, actor, other);
    const variants: [string, [string, string][]][] = [
      ['two spaces', [['authorization', `Bearer  ${token}`]]],
      ['leading space in token', [['authorization', `Bearer \t${token}`]]],
      ['trailing junk', [['authorization', `Bearer ${token} x`]]],
      ['no scheme', [['authorization', token]]],
      ['basic', [['authorization', `Basic ${Buffer.from(`${actor.email}:${actor.password}`).toString('base64')}`]]],
      ['empty bearer', [['authorization', 'Bearer ']]],
      ['scheme only', [['authorization', 'Bearer']]],
      ['truncated', [['authorization', `Bearer ${token.slice(0, -5)}`]]],
      ['bad signature', [['authorization', `Bearer ${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`]]],
      ['alg none', [['authorization', `Bearer ${noneJwt(actor)}`]]],
      ['garbage', [['authorization', `Bearer ${bogusId(rng).replace(/[^\x21-\x7e]/g, '')}`]]],
      ['duplicate, bad first', [['authorization', 'Bearer x.y.z'], ['authorization', `Bearer ${token}`]]],
      ['huge', [['authorization', `Bearer ${'a'.repeat(rng.pick([5000, 9000]))}.b.c`]]],
      ['refresh token', [['authorization', `Bearer ${actor.session!.refreshToken}`]]],
      ['token in query only', []],
      ['forged', [['authorization', `Bearer ${jwt.token}`]]],
      ['forged', [['authorization', `Bearer ${jwt.token}`]]],
      ['forged', [['authorization', `Bearer ${jwt.token}`]]],
      ['forged', [['authorization', `Bearer ${jwt.token}`]]],
    ];
    const [how, headers] = variants[v]!;
    return { kind: 'invalid', headers, how: how === 'forged' ? `forged:${jwt.how}` : how };
  }

  /** A token signed with the server's key whose claims must still be refused (or, without the key, a fake). */
  private forgedJwt(rng: Rng, actor: Account, other: Account): { token: string; how: string } {
    const now = Math.floor(Date.now() / 1000);
    const secret = this.opts.jwtSecret ?? 'not the server secret, not even close';
    const ttl = this.opts.accessTtlSeconds;
    const base = { sub: actor.userId, did: actor.session!.deviceId, typ: 'access', iat: now, exp: now + 60 };
    const otherDevice = other.devices.all[0] ?? rng.uuid();
    const cases: [string, Record<string, unknown>, Record<string, unknown>?][] = [
      ['other user, own device', { ...base, sub: other.userId }],
      ['own user, other device', { ...base, did: otherDevice }],
      ['no did', { ...base, did: undefined }],
      ['typ refresh', { ...base, typ: 'refresh' }],
      ['no typ', { ...base, typ: undefined }],
      ['no exp', { ...base, exp: undefined }],
      ['no iat', { ...base, iat: undefined }],
      ['expired', { ...base, iat: now - 3600, exp: now - 1800 }],
      ['issued in the future', { ...base, iat: now + 3600, exp: now + 3660 }],
      ['lives too long', { ...base, exp: now + ttl + 3600 }],
      ['exp before iat', { ...base, exp: now - 10 }],
      ['sub operator', { ...base, sub: { $ne: null } }],
      ['did operator', { ...base, did: { $gt: '' } }],
      ['sub number', { ...base, sub: 1 }],
      ['random ids', { ...base, sub: rng.uuid(), did: rng.uuid() }],
      ['exp string', { ...base, exp: String(now + 60) }],
      ['exp huge', { ...base, exp: 1e300 }],
      ['HS512 header', base, { alg: 'HS512', typ: 'JWT' }],
      // Signed with the key a naive server would load from the kid's path: /dev/null, nothing.
      ['kid injection', base, { alg: 'HS256', typ: 'JWT', kid: '../../../dev/null' }],
    ];
    const [how, claims, header] = rng.pick(cases);
    const clean = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
    const key = header?.kid !== undefined ? '' : header?.alg === 'HS512' ? `${secret}x` : secret;
    return { token: signJwt(header ?? { alg: 'HS256', typ: 'JWT' }, clean, key), how };
  }

  // ── odd bodies and headers ─────────────────────────────────────────────────────────────

  private oddBody(rng: Rng, body: unknown): { bytes: Buffer; how: string; contentType?: string } {
    const json = body === undefined || Buffer.isBuffer(body) ? '{"a":1}' : JSON.stringify(body);
    const kinds = [
      'empty',
      'not json',
      'truncated',
      'deep',
      'very deep',
      'scalar',
      'array',
      'bom',
      'invalid utf-8',
      'lone surrogate escape',
      'duplicate keys',
      'raw number',
      'huge string',
      'over the limit',
      'binary',
      'trailing garbage',
      'nul bytes',
      'single quotes',
      'comments',
      'form body',
    ] as const;
    const kind = rng.pick(kinds);
    const b = (s: string) => Buffer.from(s, 'utf8');
    switch (kind) {
      case 'empty':
        return { bytes: Buffer.alloc(0), how: kind };
      case 'not json':
        return { bytes: b(rng.pick(['hello', 'undefined', '<xml/>', 'a=1&b=2', '{a:1}', "{'a':1}", '{"a":1,}', '[1,]', '{"a"}', 'nul', 'tru', '\u0000'])), how: kind };
      case 'truncated':
        return { bytes: b(json.slice(0, rng.int(1, Math.max(1, json.length - 1)))), how: kind };
      case 'deep':
        return { bytes: b(`{"ops":${deepJson(rng, rng.pick([63, 64, 65, 100]))}}`), how: kind };
      case 'very deep':
        return { bytes: b(deepJson(rng, rng.pick([1000, 5000, 20_000]))), how: kind };
      case 'scalar':
        return { bytes: b(rng.pick(['null', 'true', '0', '"str"', '-1', '1e999'])), how: kind };
      case 'array':
        return { bytes: b(rng.pick(['[]', `[${json}]`, '[[]]', '[null]'])), how: kind };
      case 'bom':
        return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b(json)]), how: kind };
      case 'invalid utf-8': {
        const bad = rng.pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]]);
        const at = json.indexOf('"', 2);
        return at > 0 ? { bytes: Buffer.concat([b(json.slice(0, at + 1)), Buffer.from(bad), b(json.slice(at + 1))]), how: kind } : { bytes: Buffer.from(bad), how: kind };
      }
      case 'lone surrogate escape': {
        const esc = rng.pick(['\\ud800', '\\udfff', '\\ud800\\u0041', '\\udc00\\ud800', '\\uD83D', '\\ud83d\\ude00']);
        return { bytes: b(json.replace(/":"/, `":"${esc}`)), how: `${kind} ${esc}` };
      }
      case 'duplicate keys': {
        // The hostile value first: JSON.parse keeps the last, so the request means what `body` says.
        const inner = json.startsWith('{') && json.length > 2 ? json.slice(1) : '}';
        const keys = body && typeof body === 'object' ? Object.keys(body) : [];
        const key = keys.length ? rng.pick(keys) : 'a';
        return { bytes: b(`{${JSON.stringify(key)}:${JSON.stringify(wrongTypeValue(rng))},${inner}`), how: kind };
      }
      case 'raw number': {
        const num = rng.pick(RAW_NUMBERS);
        const replaced = json.replace(/:(-?\d+(\.\d+)?([eE][+-]?\d+)?)([,}])/, `:${num}$4`);
        return { bytes: b(replaced === json ? `{"size":${num},"limit":${num}}` : replaced), how: `${kind} ${num}` };
      }
      case 'huge string':
        return { bytes: b(json.replace(/":"/, `":"${'x'.repeat(rng.pick([100_000, 1_000_000]))}`)), how: kind };
      case 'over the limit':
        return { bytes: b(`{"a":"${'x'.repeat(this.opts.jsonLimitBytes + 10)}"}`), how: kind };
      case 'binary':
        return { bytes: rng.bytes(rng.int(1, 2048)), how: kind };
      case 'trailing garbage':
        return { bytes: b(json + rng.pick(['x', '}', ']', ' {}', '\u0000', '\n\n{"a":1}'])), how: kind };
      case 'nul bytes':
        return { bytes: Buffer.concat([b(json), Buffer.alloc(rng.int(1, 64))]), how: kind };
      case 'single quotes':
        return { bytes: b(json.replace(/"/g, "'")), how: kind };
      case 'comments':
        return { bytes: b(`/* c */${json}// x`), how: kind };
      case 'form body':
        return { bytes: b('email=a%40b.c&password=x&baseCursor=0&hashes=a'), how: kind, contentType: 'application/x-www-form-urlencoded' };
    }
  }

  private oddHeaders(rng: Rng, op: Operation, body: unknown): { headers: [string, string][]; how: string; contentType?: string; body?: Buffer } {
    const json = body === undefined || Buffer.isBuffer(body) ? Buffer.from('{}') : Buffer.from(JSON.stringify(body));
    const raw = Buffer.isBuffer(body) ? body : json;
    const kind = rng.pick([
      'content-type',
      'content-type',
      'content-encoding',
      'content-encoding',
      'huge header',
      'many headers',
      'request id',
      'range',
      'conditional',
      'accept',
      'chunked',
      'expect',
      'forwarded',
      'no content-type',
    ] as const);
    switch (kind) {
      case 'content-type': {
        const ct = rng.pick([
          'text/plain',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'application/json; charset=utf-8; boundary=x',
          'APPLICATION/JSON',
          'application/vnd.api+json',
          'application/merge-patch+json',
          'application/jsonx',
          'multipart/form-data; boundary=xyz',
          'application/x-www-form-urlencoded',
          'application/octet-stream',
          '*/*',
          'json',
          ';',
          'application/json;;;',
          'a'.repeat(2000),
        ]);
        return { headers: [], how: `content-type ${ct.slice(0, 60)}`, contentType: ct };
      }
      case 'no content-type':
        return { headers: [], how: kind, contentType: '' };
      case 'content-encoding': {
        const enc = rng.pick(['gzip', 'deflate', 'br', 'GZIP', 'identity', 'identity, gzip', 'x-unknown', '', ' gzip ']);
        const bytes = enc.toLowerCase().includes('gzip') ? gzipSync(raw) : enc === 'deflate' ? deflateSync(raw) : raw;
        return { headers: [['content-encoding', enc]], how: `content-encoding ${enc}`, body: bytes };
      }
      case 'huge header':
        return { headers: [[rng.pick(['x-filler', 'cookie', 'user-agent', 'referer']), 'a'.repeat(rng.pick([8000, 17_000, 70_000]))]], how: kind };
      case 'many headers':
        return { headers: Array.from({ length: rng.pick([100, 500, 2500]) }, (_, i) => [`x-h-${i}`, String(i)] as [string, string]), how: kind };
      case 'request id': {
        const id = rng.pick(['../../etc/passwd', 'a'.repeat(1000), '<script>', '', ' ', 'id\twith tab', '%00', '{"a":1}', 'é', '\u00ff\u00fe']);
        return { headers: [['x-request-id', id]], how: kind };
      }
      case 'range': {
        const r = rng.pick(['bytes=0-', 'bytes=-1', 'bytes=0-0', 'bytes=5-1', 'bytes=99999999999999999999-', 'bytes=0-0,1-1,2-2', 'items=0-1', 'bytes=a-b', 'bytes=', 'bytes=-0', 'bytes=1-2-3', 'bytes=' + '0-1,'.repeat(500)]);
        return { headers: [['range', r]], how: `range ${r.slice(0, 40)}` };
      }
      case 'conditional': {
        const v = rng.pick(['*', '"x"', 'W/"x"', '"' + 'a'.repeat(3000) + '"', '', 'garbage']);
        return { headers: [[rng.pick(['if-none-match', 'if-match', 'if-modified-since', 'if-range']), v]], how: kind };
      }
      case 'accept':
        return { headers: [['accept', rng.pick(['text/html', 'application/xml', '*/*;q=0', 'image/*', 'a'.repeat(500)])], ['accept-encoding', 'gzip, br']], how: kind };
      case 'chunked':
        return { headers: [['transfer-encoding', 'chunked']], how: kind, body: op.body ? raw : Buffer.from('x') };
      case 'expect':
        return { headers: [['expect', rng.pick(['100-continue', 'something-else'])]], how: kind };
      case 'forwarded':
        return { headers: [['x-forwarded-for', rng.pick(['1.2.3.4', 'a'.repeat(300), '::1, 10.0.0.1', 'not an ip'])], ['x-forwarded-proto', 'javascript']], how: kind };
    }
  }

  // ── routes that are not in the spec, and bytes that are not HTTP ──────────────────────

  private oddRoute(rng: Rng): Generated {
    const actor = rng.pick(this.world.actors);
    const p = rng.pick([
      '/',
      '/v1',
      '/v1/',
      '/v1/me/',
      '//v1/me',
      '/v1/./me',
      '/v1/../health',
      '/V1/ME',
      '/v1/me?x=%',
      '/v1/me%00',
      '/v1/%2e%2e/health',
      '/v1/devices/',
      '/v1/blocks/' + 'a'.repeat(rng.pick([100, 5000, 20_000])),
      '/v1/files/content/..%2f..%2fetc%2fpasswd',
      '/v1/files',
      '/v1/conflicts/x/resolve/extra',
      '/docs',
      '/docs/openapi.json',
      '/docs/../../package.json',
      '/mqtt',
      '/health/../v1/me',
      '/v2/me',
      '/.env',
      '/v1/admin',
      '/v1/files/list?' + 'a=1&'.repeat(2000),
      '/v1/delta?cursor=' + '%41'.repeat(3000),
      '/*',
      '/v1/files/metadata?id[]=1&id[]=2',
      '/v1/files/metadata?id[$ne]=x',
      '/v1/files/list?path[0]=a&path[1]=b',
    ]);
    const method = rng.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE']);
    const auth = rng.chance(0.6) ? ([['authorization', `Bearer ${actor.session!.accessToken}`]] as [string, string][]) : [];
    const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from('{}');
    return {
      op: 'route',
      mutation: `route:${method} ${p.slice(0, 60)}`,
      actor: auth.length ? actor : null,
      auth: auth.length ? 'valid' : 'none',
      secured: false,
      req: { method, path: p, headers: [...auth, ...(body ? [['content-type', 'application/json'] as [string, string]] : [])], ...(body ? { body } : {}), transport: 'normal' },
      pathParams: {},
      query: {},
      body: undefined,
    };
  }

  private rawHttp(rng: Rng): Generated {
    const actor = rng.pick(this.world.actors);
    const tok = actor.session!.accessToken;
    const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n\r\n';
    const cases: [string, string | Buffer][] = [
      ['bad request line', 'GARBAGE\r\n\r\n'],
      ['no version', 'GET /v1/me\r\n\r\n'],
      ['http/0.9', 'GET /health\r\n'],
      ['http/1.0 no host', 'GET /health HTTP/1.0\r\n\r\n'],
      ['unknown method', crlf(['BREW /v1/me HTTP/1.1', 'Host: x', 'Connection: close'])],
      ['space in path', crlf(['GET /v1/files/list?path=/a b HTTP/1.1', 'Host: x', 'Connection: close', `Authorization: Bearer ${tok}`])],
      ['raw utf-8 in path', Buffer.concat([Buffer.from('GET /v1/files/metadata?path=/caf'), Buffer.from([0xc3, 0xa9, 0xff]), Buffer.from(` HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${tok}\r\n\r\n`)])],
      ['header without colon', crlf(['GET /health HTTP/1.1', 'Host: x', 'Broken header', 'Connection: close'])],
      ['nul in header', crlf(['GET /health HTTP/1.1', 'Host: x', 'X-A: a\u0000b', 'Connection: close'])],
      ['bare lf', 'GET /health HTTP/1.1\nHost: x\nConnection: close\n\n'],
      ['obs-fold', crlf(['GET /v1/me HTTP/1.1', 'Host: x', `Authorization: Bearer`, ` ${tok}`, 'Connection: close'])],
      ['cl and te', crlf(['POST /v1/blocks/check HTTP/1.1', 'Host: x', `Authorization: Bearer ${tok}`, 'Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked', 'Connection: close']) + '0\r\n\r\n'],
      ['two content-lengths', crlf(['POST /v1/blocks/check HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 13', 'Content-Length: 2', 'Connection: close']) + '{"hashes":[]}'],
      ['negative content-length', crlf(['POST /v1/auth/login HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: -1', 'Connection: close'])],
      ['huge content-length', crlf(['POST /v1/auth/login HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 99999999999999999999', 'Connection: close'])],
      ['short body', crlf(['POST /v1/auth/login HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 100', 'Connection: close']) + '{"email":'],
      ['bad chunk', crlf(['POST /v1/auth/login HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close']) + 'zz\r\n{}\r\n0\r\n\r\n'],
      ['chunk extension', crlf(['POST /v1/auth/login HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close']) + '2;ext=' + 'x'.repeat(5000) + '\r\n{}\r\n0\r\n\r\n'],
      ['smuggled second request', crlf(['GET /health HTTP/1.1', 'Host: x', 'Content-Length: 0']) + crlf(['GET /v1/me HTTP/1.1', 'Host: x', 'Connection: close'])],
      ['absolute uri', crlf(['GET http://evil.example/v1/me HTTP/1.1', 'Host: x', 'Connection: close', `Authorization: Bearer ${tok}`])],
      ['asterisk', crlf(['OPTIONS * HTTP/1.1', 'Host: x', 'Connection: close'])],
      ['connect', crlf(['CONNECT 127.0.0.1:22 HTTP/1.1', 'Host: 127.0.0.1:22', 'Connection: close'])],
      ['http2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
      ['upgrade websocket', crlf(['GET /mqtt HTTP/1.1', 'Host: x', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: x', 'Sec-WebSocket-Version: 13'])],
      ['upgrade elsewhere', crlf(['GET /v1/me HTTP/1.1', 'Host: x', 'Upgrade: h2c', 'Connection: Upgrade, close', `Authorization: Bearer ${tok}`])],
      ['tls hello', Buffer.from('16030100a5010000a10303' + '00'.repeat(80), 'hex')],
      ['random bytes', rng.bytes(rng.int(1, 512))],
      ['latin-1 header', Buffer.concat([Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX-Name: '), Buffer.from([0xe9, 0xff, 0x80]), Buffer.from('\r\nConnection: close\r\n\r\n')])],
    ];
    const [how, bytes] = rng.pick(cases);
    return {
      ...(RAW_MAY_GO_UNANSWERED.has(how) ? { mayClose: 'not a whole request, or one the server hands to an upgrade or tunnel handler' } : {}),
      op: 'raw',
      mutation: `raw:${how}`,
      actor: null,
      auth: 'none',
      secured: false,
      req: { method: 'RAW', path: '', headers: [], body: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1'), transport: 'raw' },
      pathParams: {},
      query: {},
      body: undefined,
    };
  }
}

/**
 * Values for one request: what the schema asks for, filled from what the actor owns — and,
 * now and then, from what other accounts own (the cross-account checks watch for those).
 */
class ValueContext {
  constructor(
    readonly rng: Rng,
    readonly world: World,
    readonly actor: Account,
    readonly op: Operation,
  ) {}

  private get others(): Account[] {
    return this.world.others(this.actor);
  }

  /** A valid-looking value for a named field; undefined to leave an optional one out. */
  valueFor(name: string, schema: Schema, where: 'path' | 'query' | 'header' | 'body'): unknown {
    const { rng } = this;
    if (name === '$body') return this.object(schema, '');
    if (where === 'query' && rng.chance(0.35) && !['id', 'path', 'hash'].includes(name)) return undefined;
    switch (name) {
      case 'id':
        return this.idFor(this.op.id, where);
      case 'hash':
        return this.hash();
      case 'path':
        return this.path();
      case 'cursor':
        return this.op.id === 'readDelta' ? this.cursor() : this.pageCursor();
      case 'limit':
        return rng.chance(0.8) ? rng.int(schema.minimum ?? 1, Math.min(schema.maximum ?? 100, 50)) : (schema.maximum ?? 1000);
      case 'revision':
        return this.revision();
      case 'userId':
        return this.userId();
      case 'search':
        return rng.chance(0.5) ? 'fuzz' : niceName(rng).slice(0, 4);
    }
    return this.bySchema(schema, name);
  }

  private object(schema: Schema, parent: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const props = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    const op = this.op.id;
    // Where a new node goes: `path`, or `name` (in `parentId`) — not both.
    const usePath = this.rng.chance(0.5);
    for (const [k, s] of Object.entries(props)) {
      if (k === 'type' && s.enum) {
        out[k] = s.enum[0];
        continue;
      }
      const v = this.field(k, s, out, usePath);
      if (v === undefined && !required.has(k)) continue;
      if (v === undefined && required.has(k)) out[k] = this.bySchema(s, k);
      else out[k] = v;
    }
    if (op === 'commitFile' || (parent === '' && out.type === 'commit')) this.consistentContent(out);
    return out;
  }

  private field(k: string, s: Schema, sibling: Record<string, unknown>, usePath: boolean): unknown {
    const { rng } = this;
    const op = this.op.id;
    const type = typeof sibling.type === 'string' ? sibling.type : op;
    switch (k) {
      case 'baseCursor':
        return this.cursor();
      case 'opId':
        return rng.chance(0.3) ? (rng.chance(0.3) && this.actor.opIds.size ? rng.pick(this.actor.opIds.all) : `op-${rng.hex(12)}`) : undefined;
      case 'id':
        if (type === 'createFolder' || type === 'commitFile' || type === 'commit') {
          if (type !== 'createFolder' && rng.chance(0.4) && this.actor.files.size) return this.nodeId('file');
          return rng.chance(0.2) ? rng.uuid() : undefined;
        }
        return this.idFor(type, 'body');
      case 'parentId':
        if (['createFolder', 'commitFile', 'commit'].includes(type) && usePath) return undefined;
        return rng.chance(0.6) ? this.nodeId('folder') : undefined;
      case 'name':
        if (['createFolder', 'commitFile', 'commit'].includes(type) && usePath) return undefined;
        if (['moveNode', 'move', 'restoreNode', 'restore'].includes(type) && rng.chance(0.5)) return undefined;
        if (type === 'updateDevice') return rng.chance(0.7) ? niceName(rng) : undefined;
        return anyName(rng, 0.15);
      case 'path':
        if (!usePath) return undefined;
        return this.newPath();
      case 'autorename':
        return rng.chance(0.3) ? rng.chance(0.5) : undefined;
      case 'blocks':
        return undefined; // consistentContent fills blocks and size together
      case 'size':
        return undefined;
      case 'mtime':
        return rng.chance(0.5) ? new Date(Date.now() - rng.int(0, 1e10)).toISOString() : undefined;
      case 'removedIds':
        return rng.chance(0.4) ? rng.subset([...this.actor.nodes.keys()].slice(-20), 0.3) : undefined;
      case 'revision':
        return this.revision();
      case 'hashes':
        return this.hashList();
      case 'ops':
        return this.batchOps(s);
      case 'stopOnError':
        return rng.chance(0.4) ? rng.chance(0.5) : undefined;
      case 'email':
        return this.email();
      case 'password':
        return this.password(sibling);
      case 'deviceName':
        return rng.chance(0.9) ? niceName(rng) : anyName(rng, 0.6);
      case 'refreshToken':
        return this.refreshToken();
      case 'fcmToken':
        return rng.chance(0.5) ? (rng.chance(0.2) ? null : `fcm-${rng.hex(rng.int(10, 150))}`) : undefined;
      case 'resolution':
        return rng.pick(s.enum ?? ['acknowledge']);
      case 'disabled':
        return rng.chance(0.5) ? rng.chance(0.3) : undefined;
      case 'quotaBytes':
        return rng.chance(0.5) ? rng.pick([0, 0, 10 * 1024 ** 3, 1024 ** 2, 1]) : undefined;
      case 'role':
        return rng.chance(0.3) ? rng.pick(['user', 'admin']) : undefined;
    }
    return this.bySchema(s, k);
  }

  /** A commit's blocks and size that fit together: a block the actor uploaded, or an empty file. */
  private consistentContent(out: Record<string, unknown>): void {
    const { rng } = this;
    const blocks = this.actor.blocks.all;
    if (blocks.length && rng.chance(0.8)) {
      const donors = this.others.filter((o) => o.blocks.size > 0);
      const b = rng.chance(0.95) || !donors.length ? rng.pick(blocks) : rng.pick(rng.pick(donors).blocks.all);
      // A whole 4 MiB block first makes a file of two blocks (ranges across the boundary, block lists).
      const whole = blocks.filter((x) => x.size === BLOCK_SIZE);
      if (whole.length && b.size < BLOCK_SIZE && rng.chance(0.5)) {
        const first = rng.pick(whole);
        out.blocks = [first.hash, b.hash];
        out.size = BLOCK_SIZE + b.size;
      } else {
        out.blocks = [b.hash];
        out.size = b.size;
      }
    } else {
      out.blocks = [];
      out.size = 0;
    }
  }

  private bySchema(s: Schema, name: string): unknown {
    const { rng } = this;
    if (s.enum) return rng.pick(s.enum);
    switch (s.type) {
      case 'boolean':
        return rng.chance(0.5);
      case 'number':
      case 'integer':
        return rng.int(s.minimum ?? 0, Math.min(s.maximum ?? 1000, 1000));
      case 'array':
        return s.items ? Array.from({ length: rng.int(0, 3) }, () => this.bySchema(s.items!, name)) : [];
      case 'object':
        return this.object(s, name);
      default:
        if (s.format === 'uuid') return this.nodeId();
        if (s.format === 'date-time') return new Date().toISOString();
        return niceName(rng).slice(0, s.maxLength ?? 100);
    }
  }

  private batchOps(s: Schema): unknown[] {
    const { rng } = this;
    const branches = s.items?.oneOf ?? [];
    const n = rng.pick([0, 1, 1, 2, 3, 5, 10]);
    return Array.from({ length: n }, () => {
      const branch = rng.pick(branches);
      return this.object(branch, 'ops');
    });
  }

  // ── ids, cursors, hashes: the actor's own, now and then another account's ──────────

  private foreignAccount(): Account {
    return this.rng.pick(this.others);
  }

  idFor(op: string, where: string): string {
    const { rng } = this;
    const a = rng.chance(0.1) ? this.foreignAccount() : this.actor;
    switch (op) {
      case 'updateDevice':
      case 'revokeDevice': {
        // The current device rarely: revoking it ends the session (and costs a re-login).
        const own = a.devices.all.filter((d) => a !== this.actor || d !== this.actor.session?.deviceId || rng.chance(0.1));
        return own.length ? rng.pick(own) : rng.uuid();
      }
      case 'resolveConflict':
        return a.conflicts.size ? rng.pick(a.conflicts.all) : rng.uuid();
      case 'adminGetUser':
      case 'adminUserDevices':
        return rng.pick(this.world.accounts).userId;
      case 'adminUpdateUser':
        // Never B: the admin disabling or promoting the other fuzzing account would change what B may do.
        return rng.chance(0.7) ? this.world.V.userId : rng.chance(0.5) ? this.world.A.userId : rng.uuid();
    }
    if (where !== 'path' && rng.chance(0.05)) return rng.uuid();
    const want = ['restoreNode', 'restore'].includes(op)
      ? 'trashed'
      : ['restoreRevision', 'listRevisions', 'getBlockList', 'downloadFile', 'headFile'].includes(op)
        ? 'file'
        : op === 'listFolder'
          ? 'folder'
          : undefined;
    return this.nodeId(want, a);
  }

  nodeId(kind?: 'file' | 'folder' | 'trashed', a: Account = this.rng.chance(0.08) ? this.foreignAccount() : this.actor): string {
    const { rng } = this;
    const list = kind === 'file' ? a.files : kind === 'folder' ? a.folders : kind === 'trashed' ? a.trashed : undefined;
    if (list && list.size && rng.chance(0.85)) return rng.pick(list.all);
    const all = [...a.nodes.keys()];
    return all.length ? rng.pick(all) : a.userId;
  }

  private cursor(): string {
    const { rng } = this;
    if (rng.chance(0.06)) return this.foreignAccount().cursor;
    if (rng.chance(0.05)) return '';
    return this.actor.cursor;
  }

  private pageCursor(): string | undefined {
    const r = this.actor.pageCursors.get(this.op.id);
    return r && r.size && this.rng.chance(0.5) ? this.rng.pick(r.all) : undefined;
  }

  hash(): string {
    const { rng } = this;
    const a = rng.chance(0.1) ? this.foreignAccount() : this.actor;
    return a.blocks.size && rng.chance(0.9) ? rng.pick(a.blocks.all).hash : rng.hex(64);
  }

  private hashList(): string[] {
    const { rng } = this;
    const n = rng.pick([0, 1, 2, 5, 20]);
    return Array.from({ length: n }, () => (rng.chance(0.3) ? rng.hex(64) : this.hash()));
  }

  private path(): string {
    const { rng } = this;
    const a = rng.chance(0.05) ? this.foreignAccount() : this.actor;
    return a.paths.size && rng.chance(0.8) ? rng.pick(a.paths.all) : this.newPath();
  }

  private newPath(): string {
    const { rng } = this;
    const parent = this.actor.paths.size && rng.chance(0.5) ? rng.pick(this.actor.paths.all) : '';
    return `${parent === '/' ? '' : parent}/${anyName(rng, 0.1)}`;
  }

  private revision(): number {
    const { rng } = this;
    const revs = [...this.actor.revisions.values()].flat();
    return revs.length && rng.chance(0.8) ? rng.pick(revs) : rng.int(1, 100);
  }

  private userId(): string {
    return this.rng.pick(this.world.accounts).userId;
  }

  private email(): string {
    const { rng } = this;
    if (this.op.id === 'register') {
      if (rng.chance(0.2)) return this.actor.email.toUpperCase();
      return `fz-${rng.hex(10)}@example.com`;
    }
    return rng.chance(0.8) ? this.actor.email : rng.chance(0.5) ? this.actor.email.toUpperCase() : `nobody-${rng.hex(6)}@example.com`;
  }

  private password(sibling: Record<string, unknown>): string {
    const { rng } = this;
    if (this.op.id === 'login') return rng.chance(0.6) ? this.actor.password : `wrong-${rng.hex(10)}`;
    return rng.pick([`Fz-${rng.hex(20)}`, `Fz-${rng.hex(20)}`, 'password123', text(sibling.email ?? 'a@b.c'), 'qwertyuiop', 'x'.repeat(10)]);
  }

  private refreshToken(): string {
    const { rng } = this;
    const s = this.actor.session!;
    if (rng.chance(0.6)) return s.refreshToken;
    if (rng.chance(0.5) && this.actor.refreshTokens.size) return rng.pick(this.actor.refreshTokens.all);
    return `${rng.uuid()}.${rng.hex(43)}`;
  }

  /** Query parameters that name a node take `id` or `path`, not both. */
  fixQuery(q: Record<string, unknown>): void {
    if ('id' in q && 'path' in q && this.rng.chance(0.9)) delete q[this.rng.chance(0.5) ? 'id' : 'path'];
  }

  uploadBody(): { hash: string; bytes: Buffer } {
    const { rng } = this;
    const size = rng.weighted({ tiny: 30, small: 50, medium: 15, block: 3, over: 1, empty: 3 });
    const n = size === 'tiny' ? rng.int(1, 64) : size === 'small' ? rng.int(65, 4096) : size === 'medium' ? rng.int(4097, 65_536) : size === 'block' ? BLOCK_SIZE : size === 'over' ? BLOCK_SIZE + 1 : 0;
    // Own bytes (an account prefix), so a block is never someone else's too; exactly n of them.
    const bytes = n === 0 ? Buffer.alloc(0) : this.actor.freshBlockBytes(rng.bytes(n)).subarray(0, n);
    return { hash: sha256(bytes), bytes };
  }

  // ── mutations of one slot ──────────────────────────────────────────────────────────

  mutateSlot(slot: Slot): string {
    const { rng } = this;
    const s = slot.schema;
    const kinds: string[] = ['wrong type', 'hostile', 'boundary', 'boundary'];
    if (s.format === 'uuid' || slot.name === 'id' || slot.name === 'parentId' || slot.name === 'userId' || slot.name === 'removedIds[]') kinds.push('bogus id', 'bogus id', 'foreign');
    if (slot.name === 'hash' || slot.name === 'hashes[]' || slot.name === 'blocks[]' || slot.name === 'hashes' || slot.name === 'blocks') kinds.push('bogus hash', 'bogus hash', 'foreign');
    if (slot.name === 'cursor' || slot.name === 'baseCursor') kinds.push('bogus cursor', 'bogus cursor', 'foreign');
    if (slot.name === 'cursor' && this.op.id === 'listFolder') kinds.push('forged list cursor', 'forged list cursor');
    if (slot.name === 'name' || slot.name === 'path' || slot.name === 'deviceName') kinds.push('hostile name', 'hostile name', 'hostile name');
    if (s.type === 'array') kinds.push('big array', 'nested array');
    const kind = rng.pick(kinds);
    const namespaces = this.world.accounts.map((a) => a.userId);
    switch (kind) {
      case 'wrong type':
        slot.set(wrongTypeValue(rng));
        break;
      case 'hostile':
        slot.set(hostileString(rng));
        break;
      case 'hostile name':
        slot.set(slot.name === 'path' ? this.hostilePath() : rng.chance(0.5) ? anyName(rng, 1) : randomCodePoints(rng, rng.int(1, 20)));
        break;
      case 'bogus id':
        slot.set(slot.name.endsWith('[]') || s.type === 'array' ? [bogusId(rng)] : bogusId(rng));
        break;
      case 'bogus hash':
        slot.set(s.type === 'array' ? [bogusHash(rng), this.hash()] : bogusHash(rng));
        break;
      case 'bogus cursor':
        slot.set(bogusCursor(rng, rng.chance(0.5) ? [this.actor.userId] : namespaces));
        break;
      case 'foreign': {
        const o = this.foreignAccount();
        if (slot.name === 'cursor' || slot.name === 'baseCursor') slot.set(rng.chance(0.7) ? o.cursor : bogusCursor(rng, [o.userId]));
        else if (slot.name.startsWith('hash') || slot.name.startsWith('blocks')) {
          const h = o.blocks.size ? rng.pick(o.blocks.all).hash : rng.hex(64);
          slot.set(s.type === 'array' ? [h] : h);
        } else {
          const ids = [...o.ownedIds()];
          const id = rng.pick(ids);
          slot.set(slot.name.endsWith('[]') || s.type === 'array' ? [id] : id);
        }
        break;
      }
      case 'forged list cursor':
        slot.set(this.forgedListCursor());
        break;
      case 'big array': {
        const n = rng.pick([(s.maxItems ?? 1000) + 1, s.maxItems ?? 1000, 1001, 5000]);
        const item = s.items?.type === 'string' ? () => rng.hex(64) : () => ({});
        slot.set(Array.from({ length: Math.min(n, 100_001) }, item));
        break;
      }
      case 'nested array':
        slot.set([[[rng.hex(8)]], { a: [] }, null]);
        break;
      default:
        slot.set(this.boundary(s));
    }
    return kind;
  }

  /** A listing's page cursor in the shape the server makes (base64url JSON), with frames it never made. */
  private forgedListCursor(): string {
    const { rng } = this;
    const root = this.actor.userId;
    const theirs = this.nodeId('folder', this.foreignAccount());
    const mine = this.nodeId('folder', this.actor);
    const c = rng.pick<unknown>([
      { f: root, r: true, s: [[theirs, null]] },
      { f: theirs, r: false, s: [[theirs, null]] },
      { f: root, r: rng.chance(0.5), s: [[root, null], [theirs, null]] },
      { f: root, r: false, s: Array.from({ length: rng.pick([100, 1000]) }, () => [mine, null]) },
      { f: root, r: true, s: [[root, '￿']] },
      { f: root, r: true, s: [[root, 'a'.repeat(5000)]] },
      { f: root, r: true, s: [] },
      { f: root, r: true, s: Array.from({ length: 1001 }, () => [root, null]) },
      { f: root, r: 'yes', s: [[root, null]] },
      { f: root, r: true, s: [[root, 1]] },
      { f: root, r: true, s: [[{ $ne: null }, null]] },
      { f: { $ne: null }, r: true, s: [[root, null]] },
      { f: '../..', r: true, s: [['../..', null]] },
      { f: root, r: true, s: [[root, null, 'extra']], x: 1 },
      { f: root },
      null,
      [root],
    ]);
    return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
  }

  private hostilePath(): string {
    const { rng } = this;
    return rng.pick([
      '',
      '/',
      '//',
      '/..',
      '/../..',
      '/a/../../b',
      '/./a',
      'relative/path',
      '/a//b',
      '/a/',
      '\\a\\b',
      `/${'x'.repeat(256)}`,
      `/${Array.from({ length: 300 }, () => 'd').join('/')}`,
      `/${'a/'.repeat(2100)}`,
      `/${anyName(rng, 1)}/${anyName(rng, 1)}`,
      `/nul\u0000/x`,
      '/\ud800',
      '/%2e%2e/x',
    ]);
  }

  private boundary(s: Schema): unknown {
    const { rng } = this;
    switch (s.type) {
      case 'number':
      case 'integer':
        return boundaryNumber(rng, s.minimum, s.maximum);
      case 'boolean':
        return rng.pick(['true', 'false', 1, 0, 'yes', '', null]);
      case 'array':
        return rng.pick([[], [null], [''], [1, 2], 'not an array']);
      case 'object':
        return rng.pick([{}, [], null, 'object']);
      default: {
        const max = s.maxLength ?? 255;
        const min = s.minLength ?? 0;
        return rng.pick([
          '',
          ' ',
          'x'.repeat(max),
          'x'.repeat(max + 1),
          'é'.repeat(max),
          min > 0 ? 'x'.repeat(min - 1) : 'x',
          'x'.repeat(10_000),
          ...(s.enum ? [String(s.enum[0]).toUpperCase(), `${String(s.enum[0])} `, `${String(s.enum[0])}\u0000`] : []),
          ...(s.format === 'date-time' ? ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00.000Z', '2024-02-30T00:00:00Z', '2024-13-01', 'yesterday', '1e20'] : []),
        ]);
      }
    }
  }
}

/** A value as the text it is sent as: strings as they are, anything else as JSON. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined');
}

/** encodeURIComponent, and for strings it refuses (lone surrogates) the UTF-8 bytes Node would send. */
function pct(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

function serializeQuery(q: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) parts.push(`${pct(k)}=${pct(typeof item === 'string' ? item : JSON.stringify(item))}`);
    else if (v !== null && typeof v === 'object') for (const [sk, sv] of Object.entries(v)) parts.push(`${pct(k)}[${pct(sk)}]=${pct(String(sv as string))}`);
    else parts.push(`${pct(k)}=${pct(text(v))}`);
  }
  return parts.join('&');
}

function noneJwt(a: Account): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: a.userId, did: a.session!.deviceId, typ: 'access', iat: now, exp: now + 60 })}.`;
}

/** Whether a path is an admin route. */
export function isAdminPath(path: string): boolean {
  return path.startsWith(ADMIN_PREFIX);
}
