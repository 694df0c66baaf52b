import { sleep } from '../sdk/async.js';
import type { SessionStore, StoredSession } from '../sdk/session.js';
import { openDb, type Db } from './db.js';

const MIGRATIONS = [
  `CREATE TABLE session (
     k INTEGER PRIMARY KEY CHECK (k = 1),
     data TEXT NOT NULL
   );`,
];

/**
 * The device's session in SQLite (`session.db`). `update` holds a write lock (BEGIN IMMEDIATE)
 * while it refreshes, so two processes of one device (`pocketcloud sync` and `pocketcloud ls`)
 * never exchange the same refresh token twice; the new pair is committed before it is used.
 */
export class SqliteSessionStore implements SessionStore {
  private readonly db: Db;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.db = openDb(file, MIGRATIONS);
    // The lock is taken by polling, so a waiting process never blocks its event loop.
    this.db.pragma('busy_timeout = 0');
  }

  load(): StoredSession | null {
    const row = this.db.prepare('SELECT data FROM session WHERE k = 1').get() as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as StoredSession) : null;
  }

  save(session: StoredSession): void {
    this.withBusyRetrySync(() =>
      this.db.prepare('INSERT INTO session (k, data) VALUES (1, ?) ON CONFLICT (k) DO UPDATE SET data = excluded.data').run(JSON.stringify(session)),
    );
  }

  clear(): void {
    this.withBusyRetrySync(() => this.db.prepare('DELETE FROM session').run());
  }

  update(fn: (current: StoredSession) => Promise<StoredSession | null>): Promise<StoredSession> {
    const run = this.chain.then(async () => {
      await this.lock();
      try {
        const cur = this.load();
        if (!cur) throw new Error('not logged in');
        const next = await fn(cur);
        if (next) this.db.prepare('UPDATE session SET data = ? WHERE k = 1').run(JSON.stringify(next));
        this.db.exec('COMMIT');
        return next ?? cur;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.db.close();
  }

  private async lock(): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || i > 600) throw err;
        await sleep(50);
      }
    }
  }

  private withBusyRetrySync(fn: () => void): void {
    for (let i = 0; ; i++) {
      try {
        fn();
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || i > 200) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
      }
    }
  }
}
