/** Where a device keeps its session. A refresh token is single use, so the new pair must be saved before it is used. */
export interface StoredSession {
  server: string;
  userId: string;
  email: string;
  /** The user's root namespace: also the id of the root folder. */
  ns: string;
  deviceId: string;
  deviceName: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export interface SessionStore {
  load(): StoredSession | null;
  save(session: StoredSession): void;
  /**
   * Runs `fn` with the current session while holding the store's lock (across processes where the
   * store can), saving what `fn` returns (null: keep). Two refreshes of one token never overlap.
   */
  update(fn: (current: StoredSession) => Promise<StoredSession | null>): Promise<StoredSession>;
  clear(): void;
}

/** A session kept in memory (tests, benchmarks, embedding). */
export class MemorySessionStore implements SessionStore {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(private session: StoredSession | null = null) {}

  load(): StoredSession | null {
    return this.session ? { ...this.session } : null;
  }
  save(session: StoredSession): void {
    this.session = { ...session };
  }
  clear(): void {
    this.session = null;
  }
  update(fn: (current: StoredSession) => Promise<StoredSession | null>): Promise<StoredSession> {
    const run = this.chain.then(async () => {
      const cur = this.load();
      if (!cur) throw new Error('not logged in');
      const next = await fn(cur);
      if (next) this.save(next);
      return next ?? cur;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
