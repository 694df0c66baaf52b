import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString } from 'class-validator';
import { MAX_CHECK_HASHES } from '../../../shared/content-hash.js';

export class CheckBlocksDto {
  @ApiProperty({ type: [String], maxItems: MAX_CHECK_HASHES, description: 'SHA-256 hashes (lowercase hex) of blocks.' })
  @IsArray()
  @ArrayMaxSize(MAX_CHECK_HASHES)
  @IsString({ each: true })
  hashes!: string[];
}

export class CheckBlocksResultDto {
  @ApiProperty({ type: [String], description: 'The hashes you still have to upload (each once).' }) missing!: string[];
}

export class UploadBlockResultDto {
  @ApiProperty() hash!: string;
  @ApiProperty() size!: number;
  @ApiProperty({ description: 'False when you had uploaded this block before.' }) created!: boolean;
}

export class UploadBlockPackResultDto {
  @ApiProperty({ type: [UploadBlockResultDto], description: 'One result per block, in table order.' }) results!: UploadBlockResultDto[];
}
