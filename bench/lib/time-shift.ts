/**
 * Preloaded into a benchmark's server (`node --import`): its clock reads TIME_SHIFT_MS later
 * than the machine's, so what the benchmark trashed and uploaded a minute ago is past retention
 * and the grace period — "the server, 91 days later". Only `Date` moves (what the server's Clock,
 * its tokens and its records read); timers and `performance.now()` do not.
 */
const shift = Number(process.env.TIME_SHIFT_MS ?? '0');
if (shift !== 0) {
  const Real = Date;
  class Shifted extends Real {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(Real.now() + shift);
      else super(...(args as [string | number]));
    }

    static override now(): number {
      return Real.now() + shift;
    }
  }
  // Libraries that tell a type by its name (mongoose's `type: Date`) still see a Date.
  Object.defineProperty(Shifted, 'name', { value: 'Date' });
  globalThis.Date = Shifted as DateConstructor;
}
export {};
