import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { requestContext } from '../../common/logging/request-context.js';
import { IS_PUBLIC, REQUIRED_ROLE } from './auth.decorators.js';
import { AuthErrors } from './auth.errors.js';
import type { AuthContext, Role } from './auth.types.js';

/** Global guard: every route needs a valid access token unless marked @Public(). */
@Injectable()
export class AccessTokenGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(ctx);
    const auth = ctx.switchToHttp().getRequest<Request & { user: AuthContext }>().user;
    const store = requestContext.get();
    if (store) Object.assign(store, { userId: auth.userId, deviceId: auth.deviceId });
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role === 'admin' && auth.role !== 'admin') throw AuthErrors.adminOnly();
    return true;
  }

  override handleRequest<T = AuthContext>(err: unknown, user: T | false, info: unknown): T {
    if (err instanceof Error) throw err;
    if (err) throw AuthErrors.tokenInvalid();
    if (user) return user;
    const name = (info as { name?: string; message?: string } | undefined)?.name;
    if (name === 'TokenExpiredError') throw AuthErrors.tokenExpired();
    if (name === 'JsonWebTokenError' || name === 'NotBeforeError') throw AuthErrors.tokenInvalid();
    const message = (info as { message?: string } | undefined)?.message ?? '';
    if (/no auth token/i.test(message)) throw AuthErrors.tokenMissing();
    throw AuthErrors.tokenInvalid();
  }
}
