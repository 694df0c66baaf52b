import { createHash } from 'node:crypto';

/** Files are split into blocks of exactly this many bytes (the last one shorter). */
export const BLOCK_SIZE = 4 * 1024 * 1024;

/** The largest file: 100,000 blocks (≈ 390 GiB) keeps a journal entry well under 16 MB. */
export const MAX_FILE_BLOCKS = 100_000;

/** Hashes one `POST /v1/blocks/check` asks about, at most. */
export const MAX_CHECK_HASHES = 10_000;

const HEX64 = /^[0-9a-f]{64}$/;

/** True for a block hash as the API uses it: lowercase hex SHA-256. */
export function isBlockHash(s: string): boolean {
  return HEX64.test(s);
}

/**
 * Dropbox's content hash: SHA-256 over the concatenated binary SHA-256 digests of the
 * 4 MiB blocks. An empty file has no blocks, so its hash is SHA-256 of nothing.
 */
export function contentHashOfBlocks(blockHashes: readonly string[]): string {
  const h = createHash('sha256');
  for (const b of blockHashes) h.update(Buffer.from(b, 'hex'));
  return h.digest('hex');
}

/** The number of blocks, and the size of each, that a file of `size` bytes has. */
export function blockSizesFor(size: number): number[] {
  const sizes: number[] = [];
  for (let offset = 0; offset < size; offset += BLOCK_SIZE) sizes.push(Math.min(BLOCK_SIZE, size - offset));
  return sizes;
}

/** Hashes a whole buffer the way a client does: block hashes and the content hash. */
export function hashBuffer(data: Uint8Array): { blocks: string[]; contentHash: string } {
  const blocks: string[] = [];
  for (let offset = 0; offset < data.length; offset += BLOCK_SIZE) {
    blocks.push(createHash('sha256').update(data.subarray(offset, offset + BLOCK_SIZE)).digest('hex'));
  }
  return { blocks, contentHash: contentHashOfBlocks(blocks) };
}
