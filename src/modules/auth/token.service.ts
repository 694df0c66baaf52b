import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
  ) {
    this.refreshKey = createHash('sha256').update(`pocketcloud refresh secrets:${config.auth.jwtSecret}`).digest();
  }

  /** A key of its own for refresh secrets, derived from the JWT secret (never used to sign). */
  private readonly refreshKey: Buffer;

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
   * been exchanged already — a replay, which the caller treats as theft. A duplicate within
   * the grace window of the rotation (a client retrying after a timeout, two requests racing)
   * gets the same successor instead: its secret is derived from the server key and its id, so
   * any process can hand it out again without storing it. Later reuse, or reuse once the
   * successor was itself rotated, is still a replay.
   */
  async rotate(record: RefreshTokenRecord): Promise<TokenPair | null> {
    const id = successorId(record.id);
    const next = await this.insertRefresh(id, record.userId, record.deviceId, this.successorSecret(id));
    if (next) return { ...this.signAccess(record.userId, record.deviceId), ...next };
    const graceMs = this.config.auth.refreshReuseGraceSeconds * 1000;
    if (graceMs === 0) return null;
    const successor = await this.refreshTokens.findById(id);
    if (!successor || this.clock.now().getTime() - successor.createdAt.getTime() > graceMs) return null;
    if (await this.refreshTokens.exists(successorId(id))) return null;
    return {
      ...this.signAccess(record.userId, record.deviceId),
      refreshToken: `${id}.${this.successorSecret(id)}`,
      refreshTokenExpiresAt: successor.expiresAt,
    };
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

  /** The secret of a rotated token: a keyed hash of its id, unknowable without the server key. */
  private successorSecret(id: string): string {
    return createHmac('sha256', this.refreshKey).update(`refresh:${id}`).digest('base64url');
  }

  private async insertRefresh(
    id: string,
    userId: string,
    deviceId: string,
    secret = randomBytes(32).toString('base64url'),
  ): Promise<Pick<TokenPair, 'refreshToken' | 'refreshTokenExpiresAt'> | null> {
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
