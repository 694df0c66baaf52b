import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { MongooseModule } from '@nestjs/mongoose';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config.js';
import { AuthController } from './auth.controller.js';
import { AccessTokenGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { DevicesRepository } from './devices.repository.js';
import { jwtKey } from './jwt-key.js';
import { DevicesService } from './devices.service.js';
import { UsersService } from './users.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { MeService } from './me.service.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordPolicy } from './password-policy.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { DEVICE_MODEL, DeviceSchema } from './schemas/device.schema.js';
import { REFRESH_TOKEN_MODEL, RefreshTokenSchema } from './schemas/refresh-token.schema.js';
import { USER_MODEL, UserSchema } from './schemas/user.schema.js';
import { SessionValidator } from './session-validator.js';
import { TokenService } from './token.service.js';
import { UsersRepository } from './users.repository.js';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: USER_MODEL, schema: UserSchema },
      { name: DEVICE_MODEL, schema: DeviceSchema },
      { name: REFRESH_TOKEN_MODEL, schema: RefreshTokenSchema },
    ]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (c: AppConfig) => ({ secret: jwtKey(c.auth.jwtSecret), signOptions: { algorithm: 'HS256' } }),
    }),
    // Login, register and refresh are limited per client IP (TRUST_PROXY decides which IP).
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (c: AppConfig) => ({ throttlers: [{ name: 'auth', ttl: 60_000, limit: c.auth.rateLimitPerMinute }] }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    UsersRepository,
    DevicesRepository,
    RefreshTokensRepository,
    PasswordHasher,
    PasswordPolicy,
    TokenService,
    SessionValidator,
    AuthService,
    DevicesService,
    UsersService,
    MeService,
    JwtStrategy,
    { provide: APP_GUARD, useClass: AccessTokenGuard },
  ],
  exports: [SessionValidator, TokenService, AuthService, UsersService, DevicesService],
})
export class AuthModule {}
