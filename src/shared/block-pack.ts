import { BLOCK_SIZE, isBlockHash } from './content-hash.js';

/**
 * A block pack: many small blocks in one request body (`POST /v1/blocks/pack`), so a folder of
 * small files is not one HTTP request, one authentication and a handful of database round trips
 * per file. Binary, so the bytes are sent as they are:
 *
 *     "PCB1"                      4 bytes, the format
 *     count                       uint32, big-endian (1 … PACK_MAX_BLOCKS)
 *     count × (sha256, size)      32 raw bytes + uint32 big-endian (size ≤ 4 MiB)
 *     the blocks' bytes           in table order, back to back
 *
 * The table comes first so the server can look every block up at once before the bytes arrive;
 * the bytes then stream through block by block (the server holds one block at a time).
 */
export const PACK_CONTENT_TYPE = 'application/vnd.pocketcloud.block-pack';
export const PACK_MAGIC = 'PCB1';
/** Blocks in one pack, at most. */
export const PACK_MAX_BLOCKS = 1000;
/** Block bytes one pack carries, at most (the client packs blocks up to this much). */
export const PACK_MAX_BYTES = 16 * 1024 * 1024;

export interface PackEntry {
  hash: string;
  size: number;
}

/** Bytes of the format, count and table of a pack of `count` blocks. */
export const packHeaderSize = (count: number): number => 8 + 36 * count;

/** The format, count and table of a pack. */
export function encodePackHeader(entries: readonly PackEntry[]): Buffer {
  const out = Buffer.alloc(packHeaderSize(entries.length));
  out.write(PACK_MAGIC, 0, 'latin1');
  out.writeUInt32BE(entries.length, 4);
  entries.forEach((e, i) => {
    out.write(e.hash, 8 + 36 * i, 'hex');
    out.writeUInt32BE(e.size, 8 + 36 * i + 32);
  });
  return out;
}

/** A whole pack of these blocks: header and table, then their bytes in order. */
export function encodePack(blocks: readonly { hash: string; data: Uint8Array }[]): Buffer {
  return Buffer.concat([encodePackHeader(blocks.map((b) => ({ hash: b.hash, size: b.data.length }))), ...blocks.map((b) => b.data)]);
}

/** The block count from the first 8 bytes of a pack, or why it is not one. */
export function decodePackCount(head: Buffer): number | string {
  if (head.length < 8 || head.toString('latin1', 0, 4) !== PACK_MAGIC) return `it does not start with "${PACK_MAGIC}"`;
  const count = head.readUInt32BE(4);
  if (count < 1 || count > PACK_MAX_BLOCKS) return `a pack holds 1 to ${PACK_MAX_BLOCKS} blocks, this one says ${count}`;
  return count;
}

/** The table of a pack of `count` blocks, or why it is not valid (a size over 4 MiB, a hash twice). */
export function decodePackTable(table: Buffer, count: number): PackEntry[] | string {
  const entries: PackEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const hash = table.toString('hex', 36 * i, 36 * i + 32);
    const size = table.readUInt32BE(36 * i + 32);
    if (!isBlockHash(hash)) return `entry ${i} has no hash`;
    if (size > BLOCK_SIZE) return `block ${i} is ${size} bytes; a block is at most ${BLOCK_SIZE}`;
    if (seen.has(hash)) return `block ${hash} is in the pack twice`;
    seen.add(hash);
    entries.push({ hash, size });
  }
  return entries;
}
