import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/modules/namespace/content.service.js';

describe('parseRange', () => {
  it('without a header serves the whole file', () => {
    expect(parseRange(undefined, 1000)).toBe('none');
    expect(parseRange('', 1000)).toBe('none');
  });

  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=100-199', { start: 100, end: 199 }],
    ['bytes=999-999', { start: 999, end: 999 }],
    ['bytes=0-999', { start: 0, end: 999 }],
    ['  bytes=5-9  ', { start: 5, end: 9 }],
  ])('single range %j of 1000 bytes', (header, range) => {
    expect(parseRange(header, 1000)).toEqual(range);
  });

  it.each([
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-1', { start: 999, end: 999 }],
    ['bytes=-1000', { start: 0, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
  ])('suffix range %j of 1000 bytes', (header, range) => {
    expect(parseRange(header, 1000)).toEqual(range);
  });

  it('a zero-length suffix is unsatisfiable', () => {
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
  });

  it.each([
    ['bytes=500-', { start: 500, end: 999 }],
    ['bytes=0-', { start: 0, end: 999 }],
    ['bytes=999-', { start: 999, end: 999 }],
  ])('open range %j of 1000 bytes', (header, range) => {
    expect(parseRange(header, 1000)).toEqual(range);
  });

  it.each([
    ['bytes=0-1000', { start: 0, end: 999 }],
    ['bytes=500-5000', { start: 500, end: 999 }],
    ['bytes=10-99999999999999999999', { start: 10, end: 999 }],
  ])('clamps the end of %j to the last byte', (header, range) => {
    expect(parseRange(header, 1000)).toEqual(range);
  });

  it.each(['bytes=1000-', 'bytes=1000-1000', 'bytes=1000-2000', 'bytes=5000-', 'bytes=99999999999999999999-'])(
    'a start at or past the end is unsatisfiable: %j',
    (header) => {
      expect(parseRange(header, 1000)).toBe('unsatisfiable');
    },
  );

  it.each(['bytes=0-1,5-6', 'bytes=0-1, 5-6', 'bytes=-5,0-1'])('ignores multiple ranges: %j', (header) => {
    expect(parseRange(header, 1000)).toBe('none');
  });

  it.each([
    'bytes=',
    'bytes=-',
    'bytes=abc',
    'bytes=a-b',
    'bytes=1-2-3',
    'bytes=5-2',
    'bytes= 0-1',
    'bytes=0 -1',
    'bytes=-1-2',
    'bytes=1.5-2',
    'bytes=0x10-20',
    'items=0-1',
    'bytes 0-1',
    '0-1',
    'bytes=0-1;x',
  ])('ignores a malformed header: %j', (header) => {
    expect(parseRange(header, 1000)).toBe('none');
  });

  it.each(['bytes=0-0', 'bytes=0-', 'bytes=-1', 'bytes=5-10'])('of an empty file serves the whole (empty) file: %j', (header) => {
    expect(parseRange(header, 0)).toBe('none');
  });

  it('of a one-byte file', () => {
    expect(parseRange('bytes=0-0', 1)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=-10', 1)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=1-', 1)).toBe('unsatisfiable');
  });

  it('works beyond 4 GiB', () => {
    const size = 10 * 2 ** 30;
    expect(parseRange(`bytes=${size - 10}-`, size)).toEqual({ start: size - 10, end: size - 1 });
    expect(parseRange('bytes=-10', size)).toEqual({ start: size - 10, end: size - 1 });
  });
});
