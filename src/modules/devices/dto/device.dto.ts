import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { PLATFORMS, type Platform } from '../../auth/auth.types.js';

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

export class DeviceSyncDto {
  @ApiProperty({ description: 'Connected to the MQTT broker now.' }) connected!: boolean;
  @ApiProperty({ description: 'Highest journal seq poked to it over MQTT.' }) lastPokedSeq!: number;
  @ApiProperty({ description: 'Highest seq whose poke it acknowledged (PUBACK).' }) lastAckedSeq!: number;
  @ApiProperty({ description: 'Cursor seq it last read the delta from: everything up to it is durably applied.' })
  lastFetchedSeq!: number;
  @ApiProperty({ nullable: true, type: Date }) lastMqttSeenAt!: Date | null;
}

export class DeviceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PLATFORMS }) platform!: Platform;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() lastSeenAt!: Date;
  @ApiProperty({ description: 'True for the device making this request.' }) current!: boolean;
  @ApiPropertyOptional({ nullable: true, type: Date }) revokedAt!: Date | null;
  @ApiProperty({ description: 'Whether an FCM token is registered (the token itself is never returned).' })
  hasPushToken!: boolean;
  @ApiProperty({ type: DeviceSyncDto, description: 'How far the device has caught up.' }) sync!: DeviceSyncDto;
}
