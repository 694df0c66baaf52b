import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DeltaEntryDto } from '../../../domain/entry.dto.js';

export const MAX_DELTA_LIMIT = 10_000;

export class DeltaQuery {
  @ApiPropertyOptional({ description: 'From /v1/delta, /v1/delta/latest or a write; absent = from the very beginning.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DELTA_LIMIT, default: 1000, description: 'Most changes in this page.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DELTA_LIMIT)
  limit?: number;
}

export class DeltaPageDto {
  @ApiProperty({ type: [DeltaEntryDto], description: 'Changes in journal order; a node may appear more than once.' })
  entries!: DeltaEntryDto[];
  @ApiProperty({ description: 'Pass back to read on; also the baseCursor for writes once applied.' }) cursor!: string;
  @ApiProperty() hasMore!: boolean;
}

export class LatestCursorDto {
  @ApiProperty() cursor!: string;
  @ApiProperty({ description: 'The head seq of the namespace.' }) seq!: number;
}
