import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CONFLICT_KINDS } from '../conflicts/conflict-policy.js';
import { EntryDto } from '../../../domain/entry.dto.js';
import { OP_KINDS } from '../../../domain/node.js';
import { CONFLICT_RESOLUTIONS } from '../operations.js';

const toBool = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class NodeRefQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsString() @MaxLength(36) id?: string;
  @ApiPropertyOptional({ example: '/Photos/cat.jpg' }) @IsOptional() @IsString() @MaxLength(4096) path?: string;
}

export class ListQuery extends NodeRefQuery {
  @ApiPropertyOptional({ default: false, description: 'Include the whole subtree (parents before children).' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  recursive?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 2000, default: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2000)
  limit?: number;

  @ApiPropertyOptional({ description: 'From the previous page.' }) @IsOptional() @IsString() @MaxLength(8192) cursor?: string;
}

export class ContentQuery extends NodeRefQuery {
  @ApiPropertyOptional({ description: 'A revision seq (from /v1/files/revisions); default the current content.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  revision?: number;
}

export class BlockListDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The revision (journal seq of the content change) these blocks are.' }) revision!: number;
  @ApiProperty() size!: number;
  @ApiProperty() contentHash!: string;
  @ApiProperty({ type: [String], description: 'SHA-256 of each 4 MiB block, in order: download only those you lack (GET /v1/blocks/:hash).' })
  blocks!: string[];
}

export class TrashQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) cursor?: string;
}

export class ListPageDto {
  @ApiProperty({ type: [EntryDto] }) entries!: EntryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass back for the next page.' }) cursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}

export class TrashEntryDto extends EntryDto {
  @ApiProperty({ nullable: true, type: Date }) deletedAt!: Date | null;
}

export class TrashPageDto {
  @ApiProperty({ type: [TrashEntryDto], description: 'What each delete removed (its top node), newest first.' })
  entries!: TrashEntryDto[];
  @ApiProperty({ nullable: true, type: String }) cursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}

export class RevisionDto {
  @ApiProperty({ description: 'Journal seq of this version; pass to restore or download it.' }) revision!: number;
  @ApiProperty() size!: number;
  @ApiProperty() contentHash!: string;
  @ApiProperty({ nullable: true, type: Date }) mtime!: Date | null;
  @ApiProperty() at!: Date;
  @ApiProperty({ nullable: true, type: String, description: 'The device that wrote it.' }) deviceId!: string | null;
  @ApiProperty({ description: 'The current content of the file.' }) current!: boolean;
}

export class ConflictsQuery {
  @ApiPropertyOptional({ default: false, description: 'Only conflicts not resolved yet.' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  unresolved?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) cursor?: string;
}

// The enums document what the server writes; the records keep plain strings (the journal does not
// depend on the conflict policy).
export class ConflictDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: CONFLICT_KINDS, enumName: 'ConflictKind', description: 'See docs/conflicts.md.' }) kind!: string;
  @ApiProperty({ type: [String], description: 'The node the operation was about, then the others involved.' }) nodeIds!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'The device whose operation met the conflict.' }) deviceId!: string | null;
  @ApiProperty({ enum: OP_KINDS, enumName: 'OpKind', description: 'The kind of write that met the conflict.' }) opKind!: string;
  @ApiProperty({ description: 'The journal entry that settled it.' }) seq!: number;
  @ApiProperty() at!: Date;
  @ApiProperty({ nullable: true, type: Date }) resolvedAt!: Date | null;
  @ApiProperty({ enum: CONFLICT_RESOLUTIONS, enumName: 'ConflictResolution', nullable: true }) resolution!: string | null;
}

export class ConflictPageDto {
  @ApiProperty({ type: [ConflictDto] }) conflicts!: ConflictDto[];
  @ApiProperty({ nullable: true, type: String }) cursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}
