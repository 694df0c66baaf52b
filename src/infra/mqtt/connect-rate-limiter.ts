/** A token bucket per client IP: `perMinute` connects, refilled continuously. */
export class ConnectRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for this IP; false when it has none left. */
  take(ip: string): boolean {
    const t = this.now();
    const b = this.buckets.get(ip) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) * this.perMinute) / 60_000);
    b.at = t;
    if (b.tokens < 1) {
      this.buckets.set(ip, b);
      return false;
    }
    b.tokens -= 1;
    this.buckets.set(ip, b);
    if (this.buckets.size > 100_000) this.prune(t);
    return true;
  }

  private prune(t: number): void {
    for (const [ip, b] of this.buckets) if (t - b.at > 60_000) this.buckets.delete(ip);
  }
}
