import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/common/errors/app-error.js';
import { MAX_FILE_BLOCKS } from '../../../src/shared/content-hash.js';
import { validateBlockList } from '../../../src/modules/namespace/planner/block-list.js';
import { seen } from '../../../src/modules/namespace/planner/seen.js';
import type { WriteContext } from '../../../src/modules/namespace/operations.js';

const BLOCK = 4 * 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const hashOf = (s: string): string => createHash('sha256').update(s).digest('hex');
const H1 = hashOf('one');
const H2 = hashOf('two');
const H3 = hashOf('three');

/** The content hash, computed here from Dropbox's definition. */
function expectedContentHash(blocks: string[]): string {
  return createHash('sha256')
    .update(Buffer.concat(blocks.map((b) => Buffer.from(b, 'hex'))))
    .digest('hex');
}

function mismatch(blocks: readonly string[], size: number): AppError {
  let caught: unknown;
  try {
    validateBlockList(blocks, size);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.status).toBe(400);
  expect(err.code).toBe('BLOCKS_MISMATCH');
  return err;
}

describe('validateBlockList', () => {
  it('an empty file has no blocks and the empty content hash', () => {
    expect(validateBlockList([], 0)).toBe(EMPTY_SHA256);
  });

  it.each([
    ['1 byte, 1 block', [H1], 1],
    ['4 MiB - 1, 1 block', [H1], BLOCK - 1],
    ['4 MiB, 1 block', [H1], BLOCK],
    ['4 MiB + 1, 2 blocks', [H1, H2], BLOCK + 1],
    ['8 MiB, 2 blocks', [H1, H2], 2 * BLOCK],
    ['8 MiB + 1, 3 blocks', [H1, H2, H3], 2 * BLOCK + 1],
    ['repeated blocks', [H1, H1, H1], 3 * BLOCK],
  ])('accepts %s and returns the content hash', (_label, blocks, size) => {
    expect(validateBlockList(blocks, size)).toBe(expectedContentHash(blocks));
  });

  it.each([
    ['1 byte, no blocks', [], 1],
    ['0 bytes, 1 block', [H1], 0],
    ['4 MiB + 1, 1 block', [H1], BLOCK + 1],
    ['4 MiB, 2 blocks', [H1, H2], BLOCK],
    ['4 MiB - 1, 2 blocks', [H1, H2], BLOCK - 1],
    ['8 MiB + 1, 2 blocks', [H1, H2], 2 * BLOCK + 1],
  ])('refuses a count that does not fit the size: %s', (_label, blocks, size) => {
    expect(mismatch(blocks, size).message).toContain(`${size} bytes`);
  });

  it.each([
    ['uppercase', H1.toUpperCase()],
    ['63 characters', H1.slice(1)],
    ['65 characters', H1 + 'a'],
    ['not hex', 'z'.repeat(64)],
    ['empty', ''],
    ['with spaces', ` ${H1.slice(2)} `],
  ])('refuses a bad block hash: %s', (_label, bad) => {
    expect(mismatch([H1, bad], BLOCK + 1).message).toContain('SHA-256');
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['beyond 2^53', Number.MAX_SAFE_INTEGER + 1],
  ])('refuses a size that is not a whole number of bytes: %s', (_label, size) => {
    expect(mismatch([H1], size).message).toContain('whole number');
  });

  it(`accepts at most ${MAX_FILE_BLOCKS} blocks`, () => {
    expect(MAX_FILE_BLOCKS).toBe(100_000);
    const max = Array.from({ length: MAX_FILE_BLOCKS }, () => H1);
    expect(validateBlockList(max, MAX_FILE_BLOCKS * BLOCK)).toBe(expectedContentHash(max));
    const over = Array.from({ length: MAX_FILE_BLOCKS + 1 }, () => H1);
    expect(mismatch(over, (MAX_FILE_BLOCKS + 1) * BLOCK).message).toContain(`at most ${MAX_FILE_BLOCKS}`);
  });
});

describe('seen', () => {
  const ctx: WriteContext = { ns: 'ns', userId: 'user', deviceId: 'dev-a', baseSeq: 10 };

  it('a change at or before the base cursor was seen', () => {
    expect(seen(0, null, ctx)).toBe(true);
    expect(seen(10, 'dev-b', ctx)).toBe(true);
    expect(seen(10, null, ctx)).toBe(true);
  });

  it('a later change by another device was not seen', () => {
    expect(seen(11, 'dev-b', ctx)).toBe(false);
    expect(seen(11, null, ctx)).toBe(false);
    expect(seen(1000, 'dev-b', ctx)).toBe(false);
  });

  it('a later change by the device itself was seen', () => {
    expect(seen(11, 'dev-a', ctx)).toBe(true);
    expect(seen(1000, 'dev-a', ctx)).toBe(true);
  });
});
