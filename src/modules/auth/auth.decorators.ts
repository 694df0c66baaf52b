import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthContext, Role } from './auth.types.js';

export const IS_PUBLIC = 'pocketcloud:public';
export const REQUIRED_ROLE = 'pocketcloud:role';

/** The route needs no access token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The route needs this role (admin). */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);

/** The caller, as set by the auth guard. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const req = ctx.switchToHttp().getRequest<Request & { user?: AuthContext }>();
  if (!req.user) throw new Error('Auth() used on a public route');
  return req.user;
});
