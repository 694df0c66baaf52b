import { AppError } from '../../common/errors/app-error.js';
import { PACK_CONTENT_TYPE } from '../../shared/block-pack.js';
import { BLOCK_SIZE } from '../../shared/content-hash.js';

export const BlocksErrors = {
  invalidHash: () => new AppError(400, 'INVALID_HASH', 'A block hash is 64 lowercase hex characters (SHA-256).'),
  lengthRequired: () => new AppError(411, 'LENGTH_REQUIRED', 'A block upload needs a Content-Length header.'),
  tooLarge: () => new AppError(413, 'BLOCK_TOO_LARGE', `A block is at most ${BLOCK_SIZE} bytes.`, { maxBytes: BLOCK_SIZE }),
  hashMismatch: () => new AppError(400, 'HASH_MISMATCH', 'The uploaded bytes do not hash to the block name; nothing was kept.'),
  sizeMismatch: () => new AppError(400, 'SIZE_MISMATCH', 'The body was not as long as its Content-Length; nothing was kept.'),
  aborted: () => new AppError(400, 'REQUEST_ABORTED', 'The client went away before sending the whole block; nothing was kept.'),
  wrongContentType: () =>
    new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Upload block bytes as application/octet-stream.'),
  wrongPackType: () => new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send a block pack as ${PACK_CONTENT_TYPE}.`),
  notFound: () => new AppError(404, 'BLOCK_NOT_FOUND', 'Block not found or not referenced by your files.'),
  packInvalid: (why: string) => new AppError(400, 'INVALID_BLOCK_PACK', `Not a block pack: ${why}.`),
  packHashMismatch: (index: number, hash: string) =>
    new AppError(400, 'HASH_MISMATCH', `Block ${index} of the pack does not hash to ${hash}; it and the blocks after it were not kept.`, { index, hash }),
  tooManyHashes: (max: number) => new AppError(400, 'TOO_MANY_HASHES', `At most ${max} hashes per request.`, { max }),
} as const;
