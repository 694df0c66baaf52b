import { BLOCK_SIZE, blockSizesFor, contentHashOfBlocks, isBlockHash, MAX_FILE_BLOCKS } from '../../../shared/content-hash.js';
import { NamespaceErrors } from '../namespace.errors.js';
import type { PlannerPorts } from './plan.js';

/** Checks the block list against the size (pure) and returns the content hash. */
export function validateBlockList(blocks: readonly string[], size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) throw NamespaceErrors.blocksMismatch('size must be a whole number of bytes');
  if (blocks.length > MAX_FILE_BLOCKS) throw NamespaceErrors.blocksMismatch(`at most ${MAX_FILE_BLOCKS} blocks`);
  if (!blocks.every(isBlockHash)) throw NamespaceErrors.blocksMismatch('every block is a 64-character lowercase hex SHA-256');
  const expected = Math.ceil(size / BLOCK_SIZE);
  if (blocks.length !== expected) {
    throw NamespaceErrors.blocksMismatch(`${size} bytes make ${expected} blocks of 4 MiB, not ${blocks.length}`);
  }
  return contentHashOfBlocks(blocks);
}

/** The user must hold every block, each of the size its position in the file implies. */
export async function assertBlocksHeld(ports: PlannerPorts, userId: string, blocks: readonly string[], size: number): Promise<void> {
  const held = await ports.heldSizes(userId, [...new Set(blocks)]);
  const missing = [...new Set(blocks.filter((b) => !held.has(b)))];
  if (missing.length > 0) throw NamespaceErrors.blocksMissing(missing);
  const sizes = blockSizesFor(size);
  blocks.forEach((b, i) => {
    if (held.get(b) !== sizes[i]) {
      throw NamespaceErrors.blocksMismatch(`block ${i} (${b}) holds ${held.get(b)} bytes, expected ${sizes[i]}`);
    }
  });
}
