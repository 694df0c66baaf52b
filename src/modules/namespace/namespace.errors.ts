import { AppError } from '../../common/errors/app-error.js';
import type { NameProblem } from '../../shared/names.js';
import { toEntryDto } from '../../domain/entry.dto.js';
import type { NodeState } from '../../domain/node.js';

export const NamespaceErrors = {
  nodeNotFound: () => new AppError(404, 'NODE_NOT_FOUND', 'No such file or folder among yours.'),
  parentNotFound: () => new AppError(404, 'PARENT_NOT_FOUND', 'The parent folder does not exist.'),
  pathNotFound: () => new AppError(404, 'PATH_NOT_FOUND', 'Nothing at this path.'),
  notAFolder: () => new AppError(400, 'NOT_A_FOLDER', 'The parent is a file, not a folder.'),
  notAFile: () => new AppError(400, 'NOT_A_FILE', 'That node is a folder, not a file.'),
  invalidName: (problem: NameProblem) =>
    new AppError(400, 'INVALID_NAME', `The name is not allowed (${problem}).`, { problem }),
  invalidPath: (problem: string) => new AppError(400, 'INVALID_PATH', `The path is not valid (${problem}).`, { problem }),
  invalidId: () => new AppError(400, 'INVALID_ID', 'Node ids are UUIDs.'),
  nameTaken: (current: NodeState) =>
    new AppError(409, 'NAME_TAKEN', 'Another file or folder in that folder has this name (case-insensitively).', { current: toEntryDto(current) }),
  moveIntoItself: () => new AppError(400, 'MOVE_INTO_ITSELF', 'A folder cannot move into itself or its own subtree.'),
  rootImmutable: () => new AppError(400, 'ROOT_IMMUTABLE', 'The root folder cannot be moved, renamed or deleted.'),
  idTaken: () => new AppError(409, 'ID_TAKEN', 'That node id is already used by a different node.'),
  blocksMissing: (missing: string[]) =>
    new AppError(400, 'BLOCKS_MISSING', 'Upload these blocks first (PUT /v1/blocks/:hash).', { missing }),
  blocksMismatch: (why: string) => new AppError(400, 'BLOCKS_MISMATCH', `The block list does not fit the size: ${why}.`),
  quotaExceeded: (quotaBytes: number, usedBytes: number, requiredBytes: number) =>
    new AppError(403, 'QUOTA_EXCEEDED', 'This would exceed your storage quota.', { quotaBytes, usedBytes, requiredBytes }),
  purged: () => new AppError(410, 'PURGED', 'That node was in the trash longer than the retention period; its content is gone.'),
  notInTrash: () => new AppError(409, 'NOT_IN_TRASH', 'That node is not in the trash.'),
  parentDeleted: () =>
    new AppError(409, 'PARENT_DELETED', 'The original folder is deleted too: restore it first, or give a parentId.'),
  revisionNotFound: () => new AppError(404, 'REVISION_NOT_FOUND', 'No such revision of this file.'),
  opIdReused: () => new AppError(409, 'OP_ID_REUSED', 'This opId was used before for a different operation.'),
  invalidPageCursor: () => new AppError(400, 'INVALID_PAGE_CURSOR', 'The page cursor is not valid; start again without it.'),
  busy: () => new AppError(503, 'BUSY', 'Too many concurrent writes to this namespace; retry shortly.'),
  rangeNotSatisfiable: (size: number) =>
    new AppError(416, 'RANGE_NOT_SATISFIABLE', 'The requested range is outside the file.', { size }),
} as const;
