import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';
import { Clock } from '../../common/clock.js';
import { AuthErrors } from './auth.errors.js';
import { RefreshTokensRepository, type RefreshTokenRecord } from './refresh-tokens.repository.js';

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface AccessTokenClaims {
  sub: string;
  did: string;
  typ: 'access';
  exp: number;
  iat: number;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The id of the token that replaces `id`: deterministic, so only one rotation can insert it. */
export function successorId(id: string): string {
  return createHash('sha256').update(`rotate:${id}`).digest('base64url').slice(0, 24);
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly clock: Clock,
  ) {}

  /** Issues the first pair of a device session. */
  async issue(userId: string, deviceId: string): Promise<TokenPair> {
    const id = randomBytes(18).toString('base64url');
    const refresh = await this.insertRefresh(id, userId, deviceId);
    if (!refresh) throw new Error('random refresh token id collided'); // 144 random bits
    return { ...this.signAccess(userId, deviceId), ...refresh };
  }

  /** The session a refresh token belongs to, if the token is genuine and unexpired. */
  async verifyRefresh(token: string): Promise<RefreshTokenRecord> {
    const [id, secret, extra] = token.split('.');
    if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 128) throw AuthErrors.refreshTokenInvalid();
    const record = await this.refreshTokens.findById(id);
    if (!record) throw AuthErrors.refreshTokenInvalid();
    const presented = sha256(secret);
    const stored = Buffer.from(record.secretHash, 'hex');
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) throw AuthErrors.refreshTokenInvalid();
    if (record.expiresAt.getTime() <= this.clock.now().getTime()) throw AuthErrors.refreshTokenExpired();
    return record;
  }

  /**
   * Exchanges a verified refresh token for a new pair, or reports `null` when the token had
   * been exchanged already — a replay, which the caller treats as theft.
   */
  async rotate(record: RefreshTokenRecord): Promise<TokenPair | null> {
    const next = await this.insertRefresh(successorId(record.id), record.userId, record.deviceId);
    return next && { ...this.signAccess(record.userId, record.deviceId), ...next };
  }

  verifyAccess(token: string): AccessTokenClaims {
    return this.jwt.verify<AccessTokenClaims>(token, { algorithms: ['HS256'] });
  }

  private signAccess(userId: string, deviceId: string): Pick<TokenPair, 'accessToken' | 'accessTokenExpiresAt'> {
    const ttl = this.config.auth.accessTokenTtlSeconds;
    const accessToken = this.jwt.sign({ sub: userId, did: deviceId, typ: 'access' }, { expiresIn: ttl, algorithm: 'HS256' });
    const { exp } = this.jwt.decode<{ exp: number }>(accessToken);
    return { accessToken, accessTokenExpiresAt: new Date(exp * 1000) };
  }

  private async insertRefresh(
    id: string,
    userId: string,
    deviceId: string,
  ): Promise<Pick<TokenPair, 'refreshToken' | 'refreshTokenExpiresAt'> | null> {
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.auth.refreshTokenTtlSeconds * 1000);
    const inserted = await this.refreshTokens.tryInsert({
      id,
      userId,
      deviceId,
      secretHash: sha256(secret).toString('hex'),
      createdAt: now,
      expiresAt,
    });
    return inserted ? { refreshToken: `${id}.${secret}`, refreshTokenExpiresAt: expiresAt } : null;
  }
}
