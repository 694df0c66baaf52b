import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { AuthErrors } from './auth.errors.js';
import type { AuthContext } from './auth.types.js';
import { DevicesRepository } from './devices.repository.js';
import type { AccessTokenClaims } from './token.service.js';
import { UsersRepository } from './users.repository.js';

const TOUCH_INTERVAL_MS = 60_000;
/** Clock skew allowed between the processes that sign and check tokens. */
const SKEW_SECONDS = 60;

/**
 * Turns verified access-token claims into the caller, checking on every use that the device
 * is still signed in and the account enabled — so a revoked device's tokens stop at once.
 * Shared by HTTP (the passport strategy) and MQTT.
 */
@Injectable()
export class SessionValidator {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly users: UsersRepository,
    private readonly devices: DevicesRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async validate(claims: Partial<AccessTokenClaims>): Promise<AuthContext> {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.did !== 'string') {
      throw AuthErrors.tokenInvalid();
    }
    if (!this.lifetimeIsSane(claims)) throw AuthErrors.tokenInvalid();
    const [device, user] = await Promise.all([this.devices.findById(claims.did), this.users.findById(claims.sub)]);
    if (!device || device.userId !== claims.sub) throw AuthErrors.tokenInvalid();
    if (device.revokedAt) throw AuthErrors.deviceRevoked();
    if (!user) throw AuthErrors.tokenInvalid();
    if (user.disabled) throw AuthErrors.accountDisabled();
    await this.touch(device.id);
    return { userId: user.id, deviceId: device.id, role: user.role };
  }

  /**
   * The signature only says the server's key signed it: a token without `exp`, issued in the
   * future, or living longer than this server issues (a leaked key's forgery, an old build's
   * token) is refused. The signature library has checked `exp` against now already.
   */
  private lifetimeIsSane({ exp, iat }: Partial<AccessTokenClaims>): boolean {
    if (typeof exp !== 'number' || typeof iat !== 'number' || !Number.isFinite(exp) || !Number.isFinite(iat)) return false;
    const now = Date.now() / 1000;
    return iat <= now + SKEW_SECONDS && exp > iat && exp - iat <= this.config.auth.accessTokenTtlSeconds + SKEW_SECONDS;
  }

  private async touch(deviceId: string): Promise<void> {
    const now = this.clock.now();
    const last = this.touched.get(deviceId) ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(deviceId, now.getTime());
    if (this.touched.size > 100_000) this.touched.clear();
    await this.devices.update(deviceId, { lastSeenAt: now });
  }
}
