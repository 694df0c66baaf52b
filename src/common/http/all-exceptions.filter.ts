import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, CommonErrors } from '../errors/app-error.js';
import { requestContext } from '../logging/request-context.js';
import type { ErrorBody } from './error-body.js';

/** Body-parser and raw-body errors carry a `type` and a `status`. */
interface ParserError {
  type?: string;
  status?: number;
  limit?: number;
  maxDepth?: number;
}

/** Maps anything thrown to the one error shape. Unknown errors become a 500 that says nothing. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    switch (status) {
      case 404:
        return CommonErrors.routeNotFound();
      case 405:
        return CommonErrors.methodNotAllowed();
      case 413:
        return CommonErrors.bodyTooLarge();
      case 429:
        return CommonErrors.rateLimited(60);
      case 401:
        return CommonErrors.unauthenticated();
      case 403:
        return CommonErrors.forbidden();
      default:
        if (status >= 400 && status < 500) return new AppError(status, 'BAD_REQUEST', err.message);
        return CommonErrors.internal();
    }
  }
  const p = err as ParserError | null;
  if (p && typeof p === 'object' && typeof p.type === 'string') {
    switch (p.type) {
      case 'entity.parse.failed':
        return CommonErrors.malformedJson();
      case 'entity.too-deep':
        return CommonErrors.bodyTooDeep(p.maxDepth ?? 0);
      case 'entity.lone-surrogate':
        return CommonErrors.invalidUnicode();
      case 'entity.too.large':
        return CommonErrors.bodyTooLarge(p.limit);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return CommonErrors.unsupportedMediaType('application/json; charset=utf-8');
      case 'request.aborted':
        return new AppError(400, 'REQUEST_ABORTED', 'The client aborted the request.');
      default:
        if (p.status && p.status >= 400 && p.status < 500) return new AppError(p.status, 'BAD_REQUEST', 'Bad request.');
    }
  }
  return CommonErrors.internal();
}

export function errorBody(err: AppError): ErrorBody {
  return {
    statusCode: err.status,
    code: err.code,
    message: err.message,
    ...(err.details ? { details: err.details } : {}),
    requestId: requestContext.get()?.requestId ?? 'none',
  };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const err = toAppError(exception);
    if (err.status >= 500) {
      this.logger.error({ err: exception, method: req.method, path: req.path }, 'unhandled error');
    }
    sendError(res, err);
  }
}

export function sendError(res: Response, err: AppError): void {
  if (res.headersSent) {
    // A stream failed after the status line went out: all we can do is cut the connection,
    // so the client sees a truncated body rather than a silently short one.
    res.destroy();
    return;
  }
  const retryAfter = err.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
  // A 416 names the resource's size, as RFC 9110 §15.5.17 asks.
  const size = err.details?.size;
  if (err.status === 416 && typeof size === 'number') res.setHeader('Content-Range', `bytes */${size}`);
  res.status(err.status).json(errorBody(err));
}
