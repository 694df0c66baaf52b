import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request context carried through async calls (not request-scoped providers). */
export interface RequestContext {
  requestId: string;
  userId?: string;
  deviceId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
