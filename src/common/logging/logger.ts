import { type LoggerService } from '@nestjs/common';
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import { requestContext } from './request-context.js';

// Keys whose values never reach a log line, wherever they appear.
const REDACT = [
  'password',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'fcmToken',
  'authorization',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.fcmToken',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createRootLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): PinoLogger {
  return pino(
    {
      level,
      base: { svc: 'pocketcloud' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      // Every line logged inside a request carries its correlation id.
      mixin: () => {
        const ctx = requestContext.get();
        return ctx ? { reqId: ctx.requestId, ...(ctx.userId ? { userId: ctx.userId } : {}) } : {};
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

/** Nest's LoggerService on top of pino: one JSON line per call, with the class context. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly root: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    // Nest calls log(message, ...params, context): the context is the last string. With an
    // object first (`logger.log({ userId }, 'signed in')`), the next string is the message.
    const args = [...rest];
    const context = args.length > 0 && typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { ctx: context } : {};
    let text: string | undefined;
    for (const a of args) {
      if (typeof a === 'string') {
        if (level === 'error' && a.includes('\n    at ')) fields.stack = a;
        else text ??= a;
      } else if (a instanceof Error) fields.err = a;
      else if (a && typeof a === 'object') Object.assign(fields, a);
    }
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, text ?? message.message);
    } else if (message && typeof message === 'object') {
      this.root[level]({ ...fields, ...(message) }, text);
    } else {
      this.root[level](fields, String(message));
    }
  }
}
