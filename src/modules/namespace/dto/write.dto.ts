import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { plainToInstance, Transform, type TransformFnParams } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CONFLICT_KINDS } from '../conflicts/conflict-policy.js';
import { IsOmittable } from '../../../common/http/validation.js';
import { EntryDto } from '../../../domain/entry.dto.js';
import { CONFLICT_RESOLUTIONS, type ConflictResolution } from '../operations.js';
import { MAX_FILE_BLOCKS } from '../../../shared/content-hash.js';

const OP_ID = /^[A-Za-z0-9_-]{1,64}$/;

const AUTORENAME_DOC = {
  default: true,
  description:
    'When another live node in the folder has the name (NFC, case-insensitive): true gives this node a ' +
    '"name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.',
};

export class WriteBaseDto {
  @ApiProperty({ description: 'The cursor the device had fully applied when it made this operation.' })
  @IsString()
  @MaxLength(200)
  baseCursor!: string;

  @ApiPropertyOptional({
    pattern: OP_ID.source,
    description: 'Client-made id of this operation: a retry with the same opId returns the first result and changes nothing.',
  })
  @IsOmittable()
  @Matches(OP_ID, { message: 'opId is 1-64 characters of A-Z, a-z, 0-9, _ and -' })
  opId?: string;
}

/** Where a new node goes: `path`, or `name` in `parentId` (default: the root). */
class LocationFields extends WriteBaseDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Id for the new node (e.g. a UUIDv7 minted offline); the server mints one if absent.' })
  @IsOmittable()
  @IsString()
  @MaxLength(36)
  id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Parent folder id; default the root. With name.' })
  @IsOmittable()
  @IsString()
  @MaxLength(36)
  parentId?: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOmittable()
  @IsString()
  @MaxLength(1024)
  name?: string;

  @ApiPropertyOptional({ example: '/Photos/2024', description: 'Full path of the new node, instead of parentId + name.' })
  @IsOmittable()
  @IsString()
  @MaxLength(4096)
  path?: string;

  @ApiPropertyOptional(AUTORENAME_DOC)
  @IsOmittable()
  @IsBoolean()
  autorename?: boolean;
}

export class CreateFolderDto extends LocationFields {}

export class CommitFileDto extends LocationFields {
  @ApiProperty({ type: [String], description: 'SHA-256 of each 4 MiB block, in order ([] for an empty file).', maxItems: MAX_FILE_BLOCKS })
  @IsArray()
  @ArrayMaxSize(MAX_FILE_BLOCKS)
  @IsString({ each: true })
  blocks!: string[];

  @ApiProperty({ description: 'File size in bytes.' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  size!: number;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Modification time on the device (display only).' })
  @IsOmittable()
  @IsDateString()
  mtime?: string;
}

export class MoveDto extends WriteBaseDto {
  @ApiProperty({ format: 'uuid' }) @IsString() @MaxLength(36) id!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'New parent folder; default: stays.' })
  @IsOmittable()
  @IsString()
  @MaxLength(36)
  parentId?: string;
  @ApiPropertyOptional({ description: 'New name; default: keeps its name.' })
  @IsOmittable()
  @IsString()
  @MaxLength(1024)
  name?: string;
  @ApiPropertyOptional(AUTORENAME_DOC) @IsOmittable() @IsBoolean() autorename?: boolean;
}

export class DeleteDto extends WriteBaseDto {
  @ApiProperty({ format: 'uuid', description: 'File or folder to move to the trash (a folder with its subtree).' })
  @IsString()
  @MaxLength(36)
  id!: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      'For a folder: every node the device removed locally with it. Any that stays live (kept by the conflict ' +
      'policy, or moved away by another device) is re-sent in the journal so the device learns it again.',
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsString({ each: true })
  removedIds?: string[];
}

export class RestoreDto extends WriteBaseDto {
  @ApiProperty({ format: 'uuid' }) @IsString() @MaxLength(36) id!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Restore into this folder instead of the original one.' })
  @IsOmittable()
  @IsString()
  @MaxLength(36)
  parentId?: string;
  @ApiPropertyOptional({ description: 'Restore under this name.' })
  @IsOmittable()
  @IsString()
  @MaxLength(1024)
  name?: string;
  @ApiPropertyOptional(AUTORENAME_DOC) @IsOmittable() @IsBoolean() autorename?: boolean;
}

export class RestoreRevisionDto extends WriteBaseDto {
  @ApiProperty({ format: 'uuid' }) @IsString() @MaxLength(36) id!: string;
  @ApiProperty({ description: 'The seq of the revision (from /v1/files/revisions).' })
  @IsInt()
  @Min(1)
  revision!: number;
}

export class ConflictRefDto {
  @ApiProperty({ description: 'The conflict record (GET /v1/conflicts).' }) id!: string;
  @ApiProperty({ enum: CONFLICT_KINDS, enumName: 'ConflictKind', description: 'See docs/conflicts.md.' }) kind!: string;
}

export class WriteResultDto {
  @ApiProperty({ type: EntryDto }) entry!: EntryDto;
  @ApiProperty({ nullable: true, type: Number, description: 'Journal seq of the change; null when nothing changed (already so).' })
  seq!: number | null;
  @ApiProperty({
    type: [ConflictRefDto],
    description: 'Conflicts the server settled for this operation (docs/conflicts.md); empty when it applied as sent.',
  })
  conflicts!: ConflictRefDto[];
}

export class ResolveConflictDto extends WriteBaseDto {
  @ApiProperty({
    enum: CONFLICT_RESOLUTIONS,
    description: 'EDIT_EDIT: keepMine, keepTheirs or keepBoth. Every other kind: acknowledge.',
  })
  @IsIn(CONFLICT_RESOLUTIONS)
  resolution!: ConflictResolution;
}

// ── batch ─────────────────────────────────────────────────────────────────────────────────

export const BATCH_OP_TYPES = ['createFolder', 'commit', 'move', 'delete', 'restore', 'restoreRevision'] as const;
export const MAX_BATCH_OPS = 1000;

/** Optional per-operation base cursor: operations queued offline at different times may differ. */
class BatchBase {
  @ApiProperty({ enum: BATCH_OP_TYPES }) @IsIn(BATCH_OP_TYPES) type!: (typeof BATCH_OP_TYPES)[number];
}
export class BatchCreateFolderOp extends CreateFolderDto {
  @ApiProperty({ enum: ['createFolder'] }) @IsIn(['createFolder']) type!: 'createFolder';
}
export class BatchCommitOp extends CommitFileDto {
  @ApiProperty({ enum: ['commit'] }) @IsIn(['commit']) type!: 'commit';
}
export class BatchMoveOp extends MoveDto {
  @ApiProperty({ enum: ['move'] }) @IsIn(['move']) type!: 'move';
}
export class BatchDeleteOp extends DeleteDto {
  @ApiProperty({ enum: ['delete'] }) @IsIn(['delete']) type!: 'delete';
}
export class BatchRestoreOp extends RestoreDto {
  @ApiProperty({ enum: ['restore'] }) @IsIn(['restore']) type!: 'restore';
}
export class BatchRestoreRevisionOp extends RestoreRevisionDto {
  @ApiProperty({ enum: ['restoreRevision'] }) @IsIn(['restoreRevision']) type!: 'restoreRevision';
}

export type BatchOp =
  | BatchCreateFolderOp
  | BatchCommitOp
  | BatchMoveOp
  | BatchDeleteOp
  | BatchRestoreOp
  | BatchRestoreRevisionOp;

const BATCH_OP_CLASSES = [
  ['createFolder', BatchCreateFolderOp],
  ['commit', BatchCommitOp],
  ['move', BatchMoveOp],
  ['delete', BatchDeleteOp],
  ['restore', BatchRestoreOp],
  ['restoreRevision', BatchRestoreRevisionOp],
] as const satisfies readonly (readonly [(typeof BATCH_OP_TYPES)[number], new () => BatchOp])[];

/**
 * Each operation as the class its `type` names (an unknown type: the base, which refuses it).
 * Anything that is not an object stays as it is for @IsObject to refuse: class-transformer's own
 * discriminator reads `type` of every item and threw on `null` (a 500).
 */
function toBatchOps({ obj }: TransformFnParams): unknown {
  const ops = (obj as { ops?: unknown }).ops;
  if (!Array.isArray(ops)) return ops;
  return ops.map((o: unknown) => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
    const type = (o as { type?: unknown }).type;
    const cls = BATCH_OP_CLASSES.find(([name]) => name === type)?.[1] ?? BatchBase;
    return plainToInstance(cls, o);
  });
}

@ApiExtraModels(BatchCreateFolderOp, BatchCommitOp, BatchMoveOp, BatchDeleteOp, BatchRestoreOp, BatchRestoreRevisionOp)
export class BatchDto {
  @ApiProperty({
    description: `Up to ${MAX_BATCH_OPS} operations, applied in order, each its own journal entry with its own result.`,
    type: 'array',
    items: {
      oneOf: BATCH_OP_CLASSES.map(([, c]) => ({ $ref: getSchemaPath(c) })),
      // The mapping names each `type` value's schema (without it, generators take the schema name as the value).
      discriminator: { propertyName: 'type', mapping: Object.fromEntries(BATCH_OP_CLASSES.map(([name, c]) => [name, getSchemaPath(c)])) },
    },
  })
  @IsArray()
  @ArrayMaxSize(MAX_BATCH_OPS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Transform(toBatchOps, { toClassOnly: true })
  ops!: BatchOp[];

  @ApiPropertyOptional({
    default: false,
    description: 'Skip every operation after the first that fails (status 424, code SKIPPED), for queues whose operations depend on each other.',
  })
  @IsOmittable()
  @IsBoolean()
  stopOnError?: boolean;
}

/** Why one operation of a batch failed: the error body it would have had on its own. */
export class BatchErrorDto {
  @ApiProperty({ example: 'NAME_TAKEN', description: 'Stable code (docs/errors.md); SKIPPED after an earlier failure with stopOnError.' })
  code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
}

export class BatchResultItemDto {
  @ApiProperty({ description: 'HTTP status this operation alone would have had.' }) status!: number;
  @ApiProperty({ nullable: true, type: String, description: "The operation's opId, null when it had none." }) opId!: string | null;
  @ApiPropertyOptional({ type: WriteResultDto, description: 'For an operation that succeeded (status 200 or 201).' }) result?: WriteResultDto;
  @ApiPropertyOptional({ type: BatchErrorDto, description: 'For an operation that failed.' }) error?: BatchErrorDto;
}

export class BatchResultDto {
  @ApiProperty({ type: [BatchResultItemDto] }) results!: BatchResultItemDto[];
}
