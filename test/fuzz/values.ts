import { createHmac } from 'node:crypto';
import type { Rng } from './random.js';

/**
 * Hostile and boundary values, by kind. They are data, not code: a generator picks among
 * them and combines them with what the world knows (real ids, cursors, hashes).
 */

/** Names and path components that file systems, validators and databases get wrong. */
export const HOSTILE_NAMES: readonly string[] = [
  '',
  ' ',
  '.',
  '..',
  '...',
  '/',
  '//',
  '\\',
  'a/b',
  'a\\b',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  'nul\u0000byte',
  '\u0000',
  '\u0001\u0002\u001f',
  '\u007f',
  '\u0080',
  'a\u0085b',
  '\u009f',
  'tab\there',
  'new\nline',
  'cr\rhere',
  '\ud800',
  'a\udfff',
  '\udc00\ud800',
  '\udbff\udfff',
  '\u202etxt.exe',
  '\u200f\u200e\u200b',
  '\u2066rtl\u2069',
  '\ufeffbom',
  '\ufffe\uffff',
  'e\u0301',
  'Cafe\u0301',
  'CAFÉ',
  'café',
  '\ufb01le',
  '\u01c5',
  'İstanbul',
  'ß',
  '\u1e9e',
  'trailing space ',
  'trailing dot.',
  ' leading space',
  'CON',
  'aux.txt',
  'COM1',
  'desktop.ini',
  '$where',
  '{"$gt":""}',
  "'; DROP TABLE users; --",
  '<script>alert(1)</script>',
  '%00',
  '%2e%2e',
  '%2F',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'x'.repeat(255),
  'x'.repeat(256),
  'é'.repeat(127) + 'e',
  'é'.repeat(128),
  '😀'.repeat(64),
  '日本語のファイル名',
  'emoji 🐈 cat',
  '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
  'a'.repeat(10_000),
];

/** Plausible names a user gives things: mostly accepted. */
export function niceName(rng: Rng): string {
  const stems = ['notes', 'Photos', 'report', 'Café', '日本', 'data', 'backup 2024', 'a', 'résumé', 'テスト', 'x-y_z', 'Ünïcödé', '🐈 cat'];
  const exts = ['', '.txt', '.jpg', '.tar.gz', '.md', ''];
  return `${rng.pick(stems)} ${rng.hex(6)}${rng.pick(exts)}`;
}

/** A name: nice most of the time, hostile or a mix of the two otherwise. */
export function anyName(rng: Rng, hostileShare = 0.35): string {
  if (!rng.chance(hostileShare)) return niceName(rng);
  if (rng.chance(0.6)) return rng.pick(HOSTILE_NAMES);
  return rng.pick(HOSTILE_NAMES) + niceName(rng) + rng.pick(HOSTILE_NAMES);
}

/** A string of random code points, surrogates and controls included. */
export function randomCodePoints(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const band = rng.weighted({ ascii: 5, c0: 1, c1: 1, bmp: 2, surrogate: 1, astral: 1 });
    const cp =
      band === 'ascii'
        ? rng.int(0x20, 0x7e)
        : band === 'c0'
          ? rng.int(0, 0x1f)
          : band === 'c1'
            ? rng.int(0x7f, 0x9f)
            : band === 'bmp'
              ? rng.int(0xa0, 0xfffd)
              : band === 'surrogate'
                ? rng.int(0xd800, 0xdfff)
                : rng.int(0x10000, 0x10ffff);
    s += cp >= 0x10000 ? String.fromCodePoint(cp) : String.fromCharCode(cp);
  }
  return s;
}

/** A hostile string of any kind (for fields that are not names). */
export function hostileString(rng: Rng): string {
  switch (rng.int(0, 5)) {
    case 0:
      return rng.pick(HOSTILE_NAMES);
    case 1:
      return randomCodePoints(rng, rng.int(1, 40));
    case 2:
      return 'x'.repeat(rng.pick([1, 36, 37, 64, 65, 199, 200, 201, 255, 256, 1024, 1025, 4096, 4097, 8193, 10_000]));
    case 3:
      return rng.pick(['null', 'undefined', 'true', '0', '-1', 'NaN', '1e999', '[]', '{}', '[object Object]', '\\u0000', '%s%s%n']);
    case 4:
      return rng.pick(HOSTILE_NAMES) + rng.pick(HOSTILE_NAMES);
    default:
      return ' '.repeat(rng.int(1, 3)) + rng.hex(8) + '\t';
  }
}

/** Ids that are not ids, or ids of nothing. */
export function bogusId(rng: Rng): string {
  const u = rng.uuid();
  return rng.pick([
    u,
    u,
    u.toUpperCase(),
    u.replace(/-/g, ''),
    `{${u}}`,
    `${u}0`,
    u.slice(0, 35),
    ` ${u}`,
    `${u}\n`,
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '00000000-0000-7000-8000-000000000000',
    `${u.slice(0, 14)}0${u.slice(15)}`,
    `${u.slice(0, 14)}9${u.slice(15)}`,
    'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz',
    '1',
    '-1',
    '0',
    '',
    'null',
    'root',
    '..',
    '%00',
    '$gt',
    'a'.repeat(36),
    'a'.repeat(10_000),
    hostileString(rng),
  ]);
}

/** Block hashes that are not: wrong length, case, alphabet. */
export function bogusHash(rng: Rng): string {
  const h = rng.hex(64);
  return rng.pick([
    h,
    h.toUpperCase(),
    h.slice(0, 63),
    `${h}0`,
    `${h.slice(0, 63)}g`,
    `${h.slice(0, 63)} `,
    '0'.repeat(64),
    'f'.repeat(64),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '',
    'sha256-' + h,
    h + h,
    'x'.repeat(10_000),
    hostileString(rng),
  ]);
}

/** Cursors a server made for someone (forged with the documented shape) or nobody. */
export function bogusCursor(rng: Rng, namespaces: readonly string[]): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
  const ns = namespaces.length ? rng.pick(namespaces) : rng.uuid();
  return rng.pick([
    b64(`1.${ns}.${rng.int(0, 50)}.0`),
    b64(`1.${ns}.999999999999.0`),
    b64(`1.${ns}.0.999999999`),
    b64(`1.${ns}.-1.0`),
    b64(`1.${ns}.1e3.0`),
    b64(`2.${ns}.1.0`),
    b64(`1.${ns}.1`),
    b64(`1.${ns.toUpperCase()}.1.0`),
    b64(`1.${rng.uuid()}.1.0`),
    b64(`1.${ns}.00000000000000001.0`),
    b64(`1.${ns}.1.0.extra`),
    b64('1....'),
    b64(''),
    '0',
    '-1',
    '1',
    '999999999999999999999',
    'AAAA',
    '====',
    'not a cursor',
    'a'.repeat(200),
    'a'.repeat(201),
    'a'.repeat(8193),
    '%ff%fe',
    hostileString(rng),
  ]);
}

/** Numbers at and beyond every boundary a schema may have. */
export function boundaryNumber(rng: Rng, min?: number, max?: number): number {
  const around = [min, max].filter((x): x is number => x !== undefined).flatMap((x) => [x - 1, x, x + 1, x + 0.5]);
  return rng.pick([
    ...around,
    ...around,
    0,
    -0,
    -1,
    1,
    0.5,
    -0.5,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    1e21,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  ]);
}

/** Raw JSON number tokens JSON.stringify cannot produce, some not JSON at all. */
export const RAW_NUMBERS: readonly string[] = ['1e999', '-1e999', '1E400', '0x10', '01', '1.', '.5', 'NaN', 'Infinity', '-', '+1', '1e-400', '-0.0', '123456789012345678901234567890'];

/** Values of every JSON type, including operator objects a naive query would obey. */
export function wrongTypeValue(rng: Rng): unknown {
  return rng.pick<unknown>([
    null,
    true,
    false,
    0,
    1,
    -1,
    1.5,
    'string',
    '',
    [],
    [null],
    ['a', 'b'],
    {},
    { $gt: '' },
    { $ne: null },
    { $where: 'sleep(1000)' },
    { $regex: '.*' },
    [[[]]],
    { a: { b: { c: {} } } },
    JSON.parse('{"__proto__":{"admin":true}}'),
  ]);
}

/** A random JSON value, nested up to `depth`. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const kind = depth <= 0 ? rng.int(0, 3) : rng.int(0, 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.chance(0.5) ? rng.int(-1000, 1000) : boundaryNumber(rng);
    case 3:
      return rng.chance(0.5) ? rng.hex(rng.int(0, 12)) : hostileString(rng);
    case 4:
      return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.pick(['a', 'id', 'name', '$gt', '__proto__', '']), randomJson(rng, depth - 1)]));
  }
}

/** Deeply nested JSON text (arrays, objects, or both), optionally unbalanced. */
export function deepJson(rng: Rng, depth: number): string {
  const kind = rng.int(0, 2);
  const open = kind === 0 ? '[' : kind === 1 ? '{"a":' : rng.chance(0.5) ? '[' : '{"a":';
  const body = kind === 2 ? Array.from({ length: depth }, () => (rng.chance(0.5) ? '[' : '{"a":')).join('') : open.repeat(depth);
  const closers = [...body.matchAll(/\[|\{/g)].map((m) => (m[0] === '[' ? ']' : '}')).reverse().join('');
  return body + '1' + (rng.chance(0.8) ? closers : closers.slice(0, Math.max(0, closers.length - rng.int(1, 3))));
}

/** An HS256 JWT, signed with `secret` (the server's own, when the fuzzer forges claims). */
export function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc(header)}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
