import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { PocketCloudClient } from '../sdk/client.js';
import { SqliteSessionStore } from '../state/session-store.js';
import { SyncStore } from '../state/store.js';

/**
 * A device profile: one folder (`--home`, $POCKETCLOUD_HOME, default ~/.pocketcloud) holding
 * `session.db` (server, device, tokens) and `sync.db` (the synced folder's state). One profile is
 * one device; run two devices on one machine with two homes.
 */
export class Profile {
  private sessionStore: SqliteSessionStore | null = null;
  private syncStore: SyncStore | null = null;

  constructor(readonly home: string) {}

  static resolve(opt?: string): Profile {
    return new Profile(path.resolve(opt ?? process.env.POCKETCLOUD_HOME ?? path.join(homedir(), '.pocketcloud')));
  }

  static defaultDeviceName(): string {
    return `${hostname()} (cli)`;
  }

  get sessions(): SqliteSessionStore {
    this.sessionStore ??= new SqliteSessionStore(path.join(this.home, 'session.db'));
    return this.sessionStore;
  }

  get sync(): SyncStore {
    this.syncStore ??= new SyncStore(path.join(this.home, 'sync.db'));
    return this.syncStore;
  }

  /** The logged-in client; throws NotLoggedIn. */
  client(): PocketCloudClient {
    if (!this.sessions.load()) throw new NotLoggedIn();
    return new PocketCloudClient({ session: this.sessions });
  }

  close(): void {
    this.sessionStore?.close();
    this.syncStore?.close();
  }
}

export class NotLoggedIn extends Error {
  constructor() {
    super('not logged in: run `pocketcloud login --server URL --email EMAIL` first');
    this.name = 'NotLoggedIn';
  }
}
