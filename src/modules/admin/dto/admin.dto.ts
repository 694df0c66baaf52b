import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DeviceSyncDto } from '../../devices/dto/device.dto.js';
import { ConflictsQuery } from '../../namespace/dto/read.dto.js';
import { PLATFORMS, ROLES, type Platform, type Role } from '../../auth/auth.types.js';
import { IsOmittable } from '../../../common/http/validation.js';

export class AdminUsersQuery {
  @ApiPropertyOptional({ description: 'Part of an email.' }) @IsOptional() @IsString() @MaxLength(254) search?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
  @ApiPropertyOptional({ description: 'From the previous page.' }) @IsOptional() @IsString() @MaxLength(400) cursor?: string;
}

export class AdminUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ description: '0 = unlimited.' }) quotaBytes!: number;
  @ApiProperty({ description: 'Bytes of current versions of live files.' }) usedBytes!: number;
  @ApiProperty() devices!: number;
  @ApiProperty() createdAt!: Date;
}

export class AdminUserPageDto {
  @ApiProperty({ type: [AdminUserDto] }) users!: AdminUserDto[];
  @ApiProperty({ nullable: true, type: String }) cursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'A disabled account’s devices are signed out at once.' })
  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;
  @ApiPropertyOptional({ description: 'Bytes; 0 = unlimited.' })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  quotaBytes?: number;
  @ApiPropertyOptional({ enum: ROLES }) @IsOmittable() @IsIn(ROLES) role?: Role;
}

export class AdminDeviceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() lastSeenAt!: Date;
  @ApiProperty({ nullable: true, type: Date }) revokedAt!: Date | null;
  @ApiProperty() hasPushToken!: boolean;
  @ApiProperty({ type: DeviceSyncDto }) sync!: DeviceSyncDto;
  @ApiProperty({ description: 'Journal entries the device has not fetched yet (head seq − lastFetchedSeq).' }) lagSeqs!: number;
}

export class StorageDto {
  @ApiProperty() users!: number;
  @ApiProperty() namespaces!: number;
  @ApiProperty({ description: 'Current versions of live files, summed over users.' }) liveBytes!: number;
  @ApiProperty({ description: 'Every retained version, live, old or in the trash, as users see them (before dedup).' })
  logicalBytes!: number;
  @ApiProperty({ description: 'Bytes actually stored (each block once).' }) storedBytes!: number;
  @ApiProperty() storedBlocks!: number;
  @ApiProperty({ description: 'logicalBytes / storedBytes (1 when nothing is stored).' }) dedupRatio!: number;
}

export class AdminConflictsQuery extends ConflictsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this user’s conflicts.' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  userId?: string;
}

export class PurgeReportDto {
  @ApiProperty() namespaces!: number;
  @ApiProperty() purgedNodes!: number;
  @ApiProperty() purgedRevisions!: number;
}

export class GcReportDto {
  @ApiProperty() referencedBlocks!: number;
  @ApiProperty() storedBlocks!: number;
  @ApiProperty() candidates!: number;
  @ApiProperty() sweptBlocks!: number;
  @ApiProperty() freedBytes!: number;
  @ApiProperty() keptAfterRecheck!: number;
  @ApiProperty() possessionRecordsRemoved!: number;
  @ApiProperty() orphanObjectsRemoved!: number;
}

export class PurgeJobDto {
  @ApiProperty({ description: 'False when another process was running it: nothing was done here.' }) ran!: boolean;
  @ApiPropertyOptional({ type: PurgeReportDto }) report?: PurgeReportDto;
}

export class GcJobDto {
  @ApiProperty({ description: 'False when another process was running it: nothing was done here.' }) ran!: boolean;
  @ApiPropertyOptional({ type: GcReportDto }) report?: GcReportDto;
}
