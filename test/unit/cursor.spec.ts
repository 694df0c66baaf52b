import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.js';

const NS = '3b241101-e2bb-4255-8caf-4136c566a962';
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

describe('delta cursor', () => {
  it.each([
    { ns: NS, seq: 0, skip: 0 },
    { ns: NS, seq: 1, skip: 0 },
    { ns: NS, seq: 42, skip: 7 },
    { ns: NS, seq: 999_999_999_999, skip: 999_999_999 },
    { ns: NS, seq: 42, skip: 7, paging: true },
  ])('round-trips %o', (pos) => {
    const cursor = encodeCursor(pos);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(pos);
  });

  it('is opaque: the namespace is not readable in it as text', () => {
    expect(encodeCursor({ ns: NS, seq: 5, skip: 0 })).not.toContain(NS);
  });

  it('decodes exactly the documented format', () => {
    expect(decodeCursor(b64(`1.${NS}.12.3`))).toEqual({ ns: NS, seq: 12, skip: 3 });
    expect(decodeCursor(b64(`1.${NS}.12.3.p`))).toEqual({ ns: NS, seq: 12, skip: 3, paging: true });
  });

  it.each([
    ['empty', ''],
    ['plain text', 'hello'],
    ['non-base64url characters', 'abc!def'],
    ['standard base64 with padding', Buffer.from(`1.${NS}.12.0`).toString('base64')],
    ['whitespace', ` ${b64(`1.${NS}.1.0`)}`],
    ['a JWT-looking string', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'],
    ['too few parts', b64(`1.${NS}.1`)],
    ['too many parts', b64(`1.${NS}.1.0.0`)],
    ['a fifth part other than the paging mark', b64(`1.${NS}.1.0.q`)],
    ['the paging mark twice', b64(`1.${NS}.1.0.p.p`)],
    ['empty parts', b64('1...')],
    ['non-numeric seq', b64(`1.${NS}.x.0`)],
    ['non-numeric skip', b64(`1.${NS}.1.y`)],
    ['a fractional seq', b64(`1.${NS}.1.5.0`)],
    ['JSON', b64(JSON.stringify({ ns: NS, seq: 1, skip: 0 }))],
  ])('rejects garbage: %s', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });

  it('the padded example above really is padded (else it would be a valid cursor)', () => {
    expect(Buffer.from(`1.${NS}.12.0`).toString('base64')).toMatch(/=$/);
  });

  it.each(['0', '2', '01', 'v1', ''])('rejects version %j', (version) => {
    expect(decodeCursor(b64(`${version}.${NS}.1.0`))).toBeNull();
  });

  it.each([
    ['too short', 'not-a-uuid'],
    ['uppercase', NS.toUpperCase()],
    ['36 dashes', '-'.repeat(36)],
    ['36 hex digits without dashes', '0123456789abcdef0123456789abcdef0123'],
    ['dashes misplaced', '3b2411-01e2bb-4255-8caf-4136c566a962'],
    ['37 characters', NS + '0'],
  ])('rejects a namespace that is not a UUID: %s', (_label, ns) => {
    expect(decodeCursor(b64(`1.${ns}.1.0`))).toBeNull();
  });

  // A cursor this server makes is at most 84 characters, so the 200-character guard only spares
  // the decoder from long input; the format checks would refuse these as well.
  it('rejects an overlong cursor', () => {
    const long = b64(`1.${NS}.1.0`) + 'A'.repeat(200);
    expect(long.length).toBeGreaterThan(200);
    expect(decodeCursor(long)).toBeNull();
    expect(decodeCursor('A'.repeat(201))).toBeNull();
  });

  it.each([
    ['a negative seq', `1.${NS}.-1.0`],
    ['a negative skip', `1.${NS}.1.-1`],
    ['a 13-digit seq', `1.${NS}.1234567890123.0`],
    ['a 10-digit skip', `1.${NS}.1.1234567890`],
    ['a seq beyond 2^53', `1.${NS}.9007199254740993.0`],
    ['an exponent', `1.${NS}.1e5.0`],
    ['a plus sign', `1.${NS}.+1.0`],
  ])('rejects %s', (_label, text) => {
    expect(decodeCursor(b64(text))).toBeNull();
  });

  it('rejects what encodeCursor makes of impossible positions', () => {
    expect(decodeCursor(encodeCursor({ ns: NS, seq: -1, skip: 0 }))).toBeNull();
    expect(decodeCursor(encodeCursor({ ns: NS, seq: 1, skip: -1 }))).toBeNull();
    expect(decodeCursor(encodeCursor({ ns: NS, seq: 1.5, skip: 0 }))).toBeNull();
    expect(decodeCursor(encodeCursor({ ns: NS, seq: Number.MAX_SAFE_INTEGER, skip: 0 }))).toBeNull();
    expect(decodeCursor(encodeCursor({ ns: NS, seq: NaN, skip: 0 }))).toBeNull();
  });
});
