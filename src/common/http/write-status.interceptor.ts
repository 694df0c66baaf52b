import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';

/**
 * Writes answer 201 when they changed something and 200 when they did not (`seq: null`: the
 * node was already so), the same statuses a batch reports per operation.
 */
@Injectable()
export class WriteStatusInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((body: unknown) => {
        if (body && typeof body === 'object' && (body as { seq?: unknown }).seq === null) {
          ctx.switchToHttp().getResponse<Response>().status(200);
        }
        return body;
      }),
    );
  }
}
