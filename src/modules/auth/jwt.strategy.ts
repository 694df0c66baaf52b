import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config.js';
import type { AuthContext } from './auth.types.js';
import { jwtKey } from './jwt-key.js';
import { SessionValidator } from './session-validator.js';
import type { AccessTokenClaims } from './token.service.js';

/**
 * `Authorization: Bearer <jwt>` and nothing else: one space, one token of three base64url
 * parts. The scheme is matched case-insensitively, as RFC 7235 says schemes are; anything
 * after the token (passport-jwt's own extractor ignored it) makes the header invalid.
 */
const BEARER = /^bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  // A header that is present but malformed is a bad token, not a missing one.
  return BEARER.exec(header)?.[1] ?? 'malformed';
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly sessions: SessionValidator,
  ) {
    super({
      jwtFromRequest: bearerToken,
      secretOrKey: jwtKey(config.auth.jwtSecret),
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(claims: Partial<AccessTokenClaims>): Promise<AuthContext> {
    return this.sessions.validate(claims);
  }
}
