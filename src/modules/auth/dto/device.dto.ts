import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, ValidateIf } from 'class-validator';

export class UpdateDeviceDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 4096, description: 'Firebase Cloud Messaging registration token; null removes it.' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsString()
  @Length(1, 4096)
  fcmToken?: string | null;
}

export class ListDevicesQuery {
  @ApiPropertyOptional({ default: false, description: 'Also list signed-out devices.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeRevoked?: boolean;
}
