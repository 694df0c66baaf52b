import { Clock } from '../../src/common/clock.js';

/** A clock tests move forward (retention, grace periods). Starts at the real now. */
export class MovableClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Puts the clock `ms` away from the real now (negative: in the past). */
  setOffset(ms: number): void {
    this.offsetMs = ms;
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}
