// One implementation for the server and the SDK (src/shared is the code both import).
export { backoffMs, mapLimit, sleep } from '../shared/async.js';

/**
 * One async lock per key: `run(key, fn)` waits for earlier holders of the same key, so a
 * namespace's writers never interleave inside a process. Keys without waiters are dropped.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
