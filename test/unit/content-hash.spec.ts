import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, blockSizesFor, contentHashOfBlocks, hashBuffer, isBlockHash } from '../../src/shared/content-hash.js';

const MiB = 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Dropbox's content hash, written from https://www.dropbox.com/developers/reference/content-hash
 * without the code under test: split into 4 MiB blocks, SHA-256 each block (binary digest),
 * concatenate those digests, SHA-256 the concatenation, hex.
 */
function referenceContentHash(data: Uint8Array): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += 4 * MiB) {
    digests.push(createHash('sha256').update(data.subarray(offset, offset + 4 * MiB)).digest());
  }
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `length` bytes of i % 251: no block repeats another, and the pattern is not block-aligned. */
function patterned(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = i % 251;
  return out;
}

describe('content hash', () => {
  it('uses 4 MiB blocks, as Dropbox does', () => {
    expect(BLOCK_SIZE).toBe(4_194_304);
  });

  it('of an empty file is SHA-256 of the empty string', () => {
    expect(contentHashOfBlocks([])).toBe(EMPTY_SHA256);
    expect(hashBuffer(new Uint8Array(0))).toEqual({ blocks: [], contentHash: EMPTY_SHA256 });
  });

  it("matches Dropbox's published milky-way-nasa.jpg vector (from its block hashes)", () => {
    // milky-way-nasa.jpg (9,711,423 bytes), the example on Dropbox's content-hash page. The file
    // is not available offline; these are its three block hashes as published alongside the
    // reference hashers, and the content hash Dropbox documents for the file.
    const blocks = [
      '2a846fa617c3361fc117e1c5c1e1838c336b6a5cef982c1a2d9bdf68f2f1992a',
      'c68469027410ea393eba6551b9fa1e26db775f00eae70a0c3c129a0011a39cf9',
      '7376192de020925ce6c5ef5a8a0405e931b0a9a8c75517aacd9ca24a8a56818b',
    ];
    expect(blockSizesFor(9_711_423)).toEqual([4_194_304, 4_194_304, 1_322_815]);
    expect(contentHashOfBlocks(blocks)).toBe('485291fa0ee50c016982abbfa943957bcd231aae0492ccbaa22c58e3997b35e0');
  });

  it('of a one-block file is the hash of the block digest, not the block hash itself', () => {
    const data = new TextEncoder().encode('hello, world');
    const block = sha256Hex(data);
    const { blocks, contentHash } = hashBuffer(data);
    expect(blocks).toEqual([block]);
    expect(contentHash).toBe(sha256Hex(Buffer.from(block, 'hex')));
    expect(contentHash).not.toBe(block);
    expect(contentHash).toBe(referenceContentHash(data));
  });

  it('of 10 MiB of i % 251 equals an independent computation from the spec', () => {
    const data = patterned(10 * MiB);
    const { blocks, contentHash } = hashBuffer(data);
    expect(blocks).toEqual([
      sha256Hex(data.subarray(0, 4 * MiB)),
      sha256Hex(data.subarray(4 * MiB, 8 * MiB)),
      sha256Hex(data.subarray(8 * MiB, 10 * MiB)),
    ]);
    expect(new Set(blocks).size).toBe(3);
    expect(contentHash).toBe(referenceContentHash(data));
    expect(contentHashOfBlocks(blocks)).toBe(contentHash);
    // Not the plain SHA-256 of the bytes.
    expect(contentHash).not.toBe(sha256Hex(data));
  });

  it.each([
    ['4 MiB - 1', 4 * MiB - 1, [4 * MiB - 1]],
    ['4 MiB', 4 * MiB, [4 * MiB]],
    ['4 MiB + 1', 4 * MiB + 1, [4 * MiB, 1]],
    ['8 MiB', 8 * MiB, [4 * MiB, 4 * MiB]],
  ])('splits %s into the right blocks', (_label, size, sizes) => {
    expect(blockSizesFor(size)).toEqual(sizes);
    const data = patterned(size);
    const { blocks, contentHash } = hashBuffer(data);
    expect(blocks).toHaveLength(sizes.length);
    let offset = 0;
    blocks.forEach((b, i) => {
      expect(b).toBe(sha256Hex(data.subarray(offset, offset + sizes[i]!)));
      offset += sizes[i]!;
    });
    expect(contentHash).toBe(referenceContentHash(data));
  });

  it('gives the block sizes of small and empty files', () => {
    expect(blockSizesFor(0)).toEqual([]);
    expect(blockSizesFor(1)).toEqual([1]);
    expect(blockSizesFor(10 * MiB)).toEqual([4 * MiB, 4 * MiB, 2 * MiB]);
  });

  it('depends on block order', () => {
    const a = sha256Hex(Buffer.from('a'));
    const b = sha256Hex(Buffer.from('b'));
    expect(contentHashOfBlocks([a, b])).not.toBe(contentHashOfBlocks([b, a]));
    expect(contentHashOfBlocks([a, b])).toBe(sha256Hex(Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')])));
  });

  describe('isBlockHash', () => {
    it('accepts lowercase hex SHA-256', () => {
      expect(isBlockHash(EMPTY_SHA256)).toBe(true);
      expect(isBlockHash('0'.repeat(64))).toBe(true);
      expect(isBlockHash('0123456789abcdef'.repeat(4))).toBe(true);
    });

    it.each([
      ['uppercase', EMPTY_SHA256.toUpperCase()],
      ['one uppercase letter', 'E' + EMPTY_SHA256.slice(1)],
      ['63 characters', EMPTY_SHA256.slice(1)],
      ['65 characters', EMPTY_SHA256 + '0'],
      ['a non-hex letter', 'g' + EMPTY_SHA256.slice(1)],
      ['a trailing newline', EMPTY_SHA256 + '\n'],
      ['surrounding spaces', ` ${EMPTY_SHA256} `],
      ['a 0x prefix', '0x' + EMPTY_SHA256.slice(2)],
      ['empty', ''],
    ])('rejects %s', (_label, s) => {
      expect(isBlockHash(s)).toBe(false);
    });
  });
});
