import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import type { AppConfig } from './config/app-config.js';
import { AllExceptionsFilter, sendError, toAppError } from './common/http/all-exceptions.filter.js';
import { reenterRequestContext, requestContextMiddleware } from './common/http/request-context.middleware.js';
import { jsonProblem } from './common/http/json-guard.js';
import { createValidationPipe } from './common/http/validation.js';
import { CommonErrors } from './common/errors/app-error.js';
import { APP_VERSION } from './infra/process/version.js';

/** Whether a request says its body is JSON (application/json or application/*+json). */
function isJson(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * Everything about the HTTP surface that is not a module: body parsing, correlation ids,
 * validation, the error shape and OpenAPI. Shared by main.ts and the tests, so tests run the
 * server exactly as production does. The app must be created with `bodyParser: false`.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig, log: PinoLogger): void {
  app.set('trust proxy', config.http.trustProxy);
  // Devices keep connections open between requests; Node's 5 s default races clients that
  // reuse a socket just as the server closes it (an ECONNRESET on a healthy server).
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  app.disable('x-powered-by');
  app.use(requestContextMiddleware(log));
  // Request bodies are never compressed here: a Content-Encoding is refused before anything
  // reads the body (body-parser would inflate it, and a body that is not what it claims failed as a 500).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || encoding === '') return next();
    sendError(res, CommonErrors.unsupportedEncoding());
  });
  const maxDepth = config.http.jsonMaxDepth;
  // JSON bodies only for JSON content types, and never for block uploads: those stay unread
  // streams for their handler (which refuses a JSON content type with 415).
  app.use(
    express.json({
      limit: config.http.jsonBodyLimitBytes,
      inflate: false,
      // Checked on the raw bytes, before JSON.parse and the validator see the body.
      verify: (_req, _res, buf) => {
        const problem = jsonProblem(buf, maxDepth);
        // body-parser re-statuses what verify throws: a typed parser error, mapped in toAppError.
        if (problem) throw Object.assign(new Error(problem), { type: `entity.${problem}`, status: 400, maxDepth });
      },
      type: (req) => isJson(req) && !(req.method === 'PUT' && (req.url ?? '').startsWith('/v1/blocks/')),
    }),
  );
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => sendError(res, toAppError(err)));
  app.use(reenterRequestContext);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    customSiteTitle: 'pocketCloud API',
  });
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('pocketCloud API')
    .setDescription(
      'Self-hosted, Dropbox-like sync. Errors always have the shape {statusCode, code, message, details?, requestId}; ' +
        'codes are listed in docs/errors.md.',
    )
    .setVersion(APP_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
  });
}
