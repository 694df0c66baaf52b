import { createHash } from 'node:crypto';
import { hashBuffer } from '../../src/shared/content-hash.js';

export const MiB = 1024 * 1024;

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The block hashes of `data`, as a client computes them. */
export const blocksOf = (data: Buffer): string[] => hashBuffer(data).blocks;

/** The Dropbox content hash of `data`. */
export const contentHashOf = (data: Buffer): string => hashBuffer(data).contentHash;
