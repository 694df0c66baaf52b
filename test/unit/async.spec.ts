import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { KeyedMutex, mapLimit } from '../../src/common/async.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every pending promise callback and timer-free continuation run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Resolves to `value`, or to 'timed out' if it takes longer than `ms`. */
function within<T>(p: Promise<T>, ms = 2000): Promise<T | 'timed out'> {
  return Promise.race([p, sleep(ms, 'timed out' as const)]);
}

describe('mapLimit', () => {
  it('keeps the input order, whatever order the calls finish in', async () => {
    const items = Array.from({ length: 12 }, (_, i) => i);
    // Later items finish first.
    const out = await mapLimit(items, 4, async (i) => {
      await sleep(2 * (12 - i));
      return `v${i}`;
    });
    expect(out).toEqual(items.map((i) => `v${i}`));
  });

  it.each([1, 2, 3, 5])('never has more than %i calls in flight, and uses the limit', async (limit) => {
    let inFlight = 0;
    let max = 0;
    const calls: number[] = [];
    const items = Array.from({ length: 20 }, (_, i) => i);
    const out = await mapLimit(items, limit, async (i) => {
      calls.push(i);
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep(1 + ((i * 7) % 5));
      inFlight--;
      return i * 2;
    });
    expect(max).toBe(limit);
    expect(inFlight).toBe(0);
    expect(calls.sort((a, b) => a - b)).toEqual(items);
    expect(out).toEqual(items.map((i) => i * 2));
  });

  it('with a limit above the item count calls each item once', async () => {
    const calls: string[] = [];
    const out = await mapLimit(['a', 'b'], 10, async (s) => {
      calls.push(s);
      await sleep(1);
      return s.toUpperCase();
    });
    expect(out).toEqual(['A', 'B']);
    expect(calls.sort()).toEqual(['a', 'b']);
  });

  it('of nothing is nothing, without calls', async () => {
    let called = false;
    const out = await mapLimit([], 3, () => {
      called = true;
      return Promise.resolve(1);
    });
    expect(out).toEqual([]);
    expect(called).toBe(false);
  });

  it('rejects with the error a call threw', async () => {
    const boom = new Error('boom');
    await expect(
      mapLimit([1, 2, 3, 4, 5], 2, async (i) => {
        await sleep(1);
        if (i === 3) throw boom;
        return i;
      }),
    ).rejects.toBe(boom);
  });

  it('starts nothing after a failure and settles the running calls before rejecting', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const slow = deferred();
    const run = mapLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await slow.promise;
        finished.push(i);
        return i;
      }
      throw new Error(`fail ${i}`);
    });
    let rejected = false;
    run.catch(() => (rejected = true));
    await settle();
    // Item 1 failed at once; item 0 still runs, so the call has not rejected yet.
    expect(started).toEqual([0, 1]);
    expect(rejected).toBe(false);
    slow.resolve();
    await expect(run).rejects.toThrow('fail 1');
    expect(finished).toEqual([0]);
    expect(started).toEqual([0, 1]);
  });

  it('passes each item its index', async () => {
    expect(await mapLimit(['a', 'b', 'c'], 2, (s, i) => Promise.resolve(`${s}${i}`))).toEqual(['a0', 'b1', 'c2']);
  });

  it('rejects when a call throws synchronously', async () => {
    await expect(
      mapLimit([1, 2], 1, (i) => {
        if (i === 2) throw new Error('sync');
        return Promise.resolve(i);
      }),
    ).rejects.toThrow('sync');
  });
});

describe('KeyedMutex', () => {
  it('runs holders of the same key one after another, in call order', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const gate = deferred();
    const a = m.run('k', async () => {
      log.push('a start');
      await gate.promise;
      log.push('a end');
      return 'A';
    });
    const b = m.run('k', () => {
      log.push('b');
      return Promise.resolve('B');
    });
    await settle();
    expect(log).toEqual(['a start']);
    gate.resolve();
    expect(await Promise.all([a, b])).toEqual(['A', 'B']);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('never lets two holders of a key overlap', async () => {
    const m = new KeyedMutex();
    let inside = 0;
    let max = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        m.run('k', async () => {
          inside++;
          max = Math.max(max, inside);
          order.push(i);
          await sleep((i * 3) % 4);
          inside--;
        }),
      ),
    );
    expect(max).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('runs different keys concurrently', async () => {
    const m = new KeyedMutex();
    const gate = deferred();
    const x = m.run('x', async () => {
      await gate.promise;
      return 'X';
    });
    const y = m.run('y', () => Promise.resolve('Y'));
    // y finishes while x still holds its key.
    expect(await within(y)).toBe('Y');
    gate.resolve();
    expect(await x).toBe('X');
  });

  it('releases the key when the holder throws', async () => {
    const m = new KeyedMutex();
    const gate = deferred();
    const a = m.run('k', async () => {
      await gate.promise;
      throw new Error('boom');
    });
    const b = m.run('k', () => Promise.resolve('B'));
    gate.resolve();
    await expect(a).rejects.toThrow('boom');
    expect(await within(b)).toBe('B');
    expect(await within(m.run('k', () => Promise.resolve('C')))).toBe('C');
  });

  it('releases the key when the holder throws synchronously', async () => {
    const m = new KeyedMutex();
    await expect(
      m.run('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await within(m.run('k', () => Promise.resolve('after')))).toBe('after');
  });

  it('forgets keys nobody holds or waits for', async () => {
    const m = new KeyedMutex();
    const tails = (m as unknown as { tails: Map<string, unknown> }).tails;
    const gate = deferred();
    const a = m.run('k', () => gate.promise);
    const b = m.run('k', () => Promise.resolve());
    const c = m.run('other', () => Promise.reject(new Error('x')));
    await expect(c).rejects.toThrow('x');
    expect(tails.has('k')).toBe(true);
    gate.resolve();
    await Promise.all([a, b]);
    expect(tails.size).toBe(0);
  });
});
