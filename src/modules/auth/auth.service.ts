import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Clock } from '../../common/clock.js';
import { EventBus } from '../../common/events/event-bus.js';
import { AuthErrors } from './auth.errors.js';
import type { AuthContext, Device, User } from './auth.types.js';
import { DevicesRepository } from './devices.repository.js';
import type { LoginDto, RegisterDto } from './dto/auth.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordPolicy } from './password-policy.js';
import { TokenService, type TokenPair } from './token.service.js';
import { UsersRepository } from './users.repository.js';

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    'user.registered': { userId: string };
    'device.revoked': { userId: string; deviceId: string; reason: string };
  }
}

export interface Session {
  user: User;
  deviceId: string;
  tokens: TokenPair;
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly devices: DevicesRepository,
    private readonly tokens: TokenService,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const promoted = await this.users.setRoleByEmails(this.config.auth.adminEmails, 'admin');
    if (promoted > 0) this.logger.log({ promoted }, 'accounts in ADMIN_EMAILS made admins');
  }

  async register(dto: RegisterDto): Promise<Session> {
    if (!this.config.auth.registrationOpen) throw AuthErrors.registrationClosed();
    this.passwordPolicy.assertAcceptable(dto.password, dto.email);
    const user = await this.users.insert({
      id: randomUUID(),
      email: dto.email,
      passwordHash: await this.hasher.hash(dto.password),
      role: this.config.auth.adminEmails.includes(dto.email) ? 'admin' : 'user',
      disabled: false,
      quotaBytes: this.config.quota.defaultBytes,
      createdAt: this.clock.now(),
    });
    this.logger.log({ userId: user.id }, 'account registered');
    this.events.emit('user.registered', { userId: user.id });
    return this.startSession(user, dto);
  }

  async login(dto: LoginDto): Promise<Session> {
    const user = await this.users.findByEmail(dto.email);
    if (!user) {
      await this.hasher.verifyAgainstDummy(dto.password);
      throw AuthErrors.invalidCredentials();
    }
    if (!(await this.hasher.verify(dto.password, user.passwordHash))) throw AuthErrors.invalidCredentials();
    if (user.disabled) throw AuthErrors.accountDisabled();
    return this.startSession(user, dto);
  }

  async refresh(refreshToken: string): Promise<{ deviceId: string; tokens: TokenPair }> {
    const record = await this.tokens.verifyRefresh(refreshToken);
    const { deviceId, userId } = record;
    const [device, user] = await Promise.all([this.devices.findById(deviceId), this.users.findById(userId)]);
    if (!device || device.revokedAt) throw AuthErrors.deviceRevoked();
    if (!user || user.disabled) throw AuthErrors.accountDisabled();
    const tokens = await this.tokens.rotate(record);
    if (!tokens) {
      // Someone holds a copy of a token that was already exchanged: end the whole session.
      this.logger.warn({ userId, deviceId }, 'refresh token reuse detected; revoking the device');
      await this.revokeDevice(userId, deviceId, 'refresh-token-reuse');
      throw AuthErrors.refreshTokenReused();
    }
    await this.devices.update(deviceId, { lastSeenAt: this.clock.now() });
    return { deviceId, tokens };
  }

  async logout(auth: AuthContext): Promise<void> {
    await this.revokeDevice(auth.userId, auth.deviceId, 'logout');
  }

  async revokeDevice(userId: string, deviceId: string, reason: string): Promise<void> {
    await this.devices.revoke(deviceId, this.clock.now(), reason);
    this.events.emit('device.revoked', { userId, deviceId, reason });
  }

  private async startSession(user: User, dto: LoginDto): Promise<Session> {
    // A cap on what one account can make the server hold. Counted, then inserted: logins that
    // race at the limit may pass it by how many raced, which is all a resource cap needs.
    const limit = this.config.auth.maxDevicesPerUser;
    if ((await this.devices.countActive(user.id)) >= limit) throw AuthErrors.deviceLimit(limit);
    const now = this.clock.now();
    const device: Device = {
      id: randomUUID(),
      userId: user.id,
      name: dto.deviceName,
      platform: dto.platform,
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
      revokeReason: null,
      fcmToken: null,
    };
    await this.devices.insert(device);
    const tokens = await this.tokens.issue(user.id, device.id);
    this.logger.log({ userId: user.id, deviceId: device.id, platform: device.platform }, 'device signed in');
    return { user, deviceId: device.id, tokens };
  }
}
