import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { PLATFORMS, ROLES, type Platform, type Role } from '../auth.types.js';

const trimLower = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Transform(trimLower)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 1024, format: 'password' })
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password!: string;

  @ApiProperty({ example: "Ada's phone", minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  deviceName!: string;

  @ApiProperty({ enum: PLATFORMS })
  @IsIn(PLATFORMS)
  platform!: Platform;
}

export class RegisterDto extends LoginDto {
  // Validated like login's (8+); the password policy then asks for 10 and strength (WEAK_PASSWORD).
  @ApiProperty({
    minLength: 10,
    maxLength: 1024,
    format: 'password',
    description: 'At least 10 characters and hard to guess (zxcvbn-ts score 3 of 4, the email counted as a known word); else 400 WEAK_PASSWORD.',
  })
  override password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from login, register or the last refresh.' })
  @IsString()
  @Length(10, 300)
  refreshToken!: string;
}

export class TokensDto {
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty() accessToken!: string;
  @ApiProperty() accessTokenExpiresAt!: Date;
  @ApiProperty({ description: 'Single use: each refresh returns a new one. Replaying an old one signs the device out.' })
  refreshToken!: string;
  @ApiProperty() refreshTokenExpiresAt!: Date;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ description: 'The id of the namespace holding the user’s files.' }) rootNamespaceId!: string;
  @ApiProperty({ description: 'Bytes of current file versions allowed; 0 = unlimited.' }) quotaBytes!: number;
  @ApiProperty() createdAt!: Date;
}

export class SessionDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ format: 'uuid', description: 'This login is a device; MQTT clientId is this id.' }) deviceId!: string;
  @ApiProperty({ type: TokensDto }) tokens!: TokensDto;
}

export class RefreshResultDto {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({ type: TokensDto }) tokens!: TokensDto;
}
