import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { requestContext, type RequestContext } from '../logging/request-context.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Gives every request a correlation id (the caller's x-request-id if sane), echoes it in the
 * response header, runs the rest of the chain inside its context, and logs one line when the
 * response finishes — without the query string, which may hold secrets.
 */
export function requestContextMiddleware(log: PinoLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const ctx: RequestContext = {
      requestId: typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID(),
    };
    res.locals.ctx = ctx;
    res.setHeader('x-request-id', ctx.requestId);
    const started = performance.now();
    res.once('close', () => {
      const fields = {
        reqId: ctx.requestId,
        ...(ctx.userId ? { userId: ctx.userId, deviceId: ctx.deviceId } : {}),
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (res.statusCode >= 500) log.error(fields, 'request');
      else log.info(fields, 'request');
    });
    requestContext.run(ctx, next);
  };
}

/**
 * Re-enters the request's context. Body parsing resumes on socket events, which run outside
 * the context the first middleware entered, so this runs again after the parsers.
 */
export function reenterRequestContext(req: Request, res: Response, next: NextFunction): void {
  const ctx = res.locals.ctx as RequestContext | undefined;
  if (ctx) requestContext.run(ctx, next);
  else next();
}
