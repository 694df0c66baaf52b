import { MongoClient } from 'mongodb';
import { StartupError } from '../process/startup-error.js';

export type DatabaseFlavor = 'mongodb' | 'ferretdb';

/**
 * Asks the server at `uri` what it is. FerretDB answers `buildInfo` with a `ferretdbVersion`
 * field; MongoDB does not. The journal reads differently on each (docs/database.md), so an
 * external FerretDB must be recognised as one, not taken for MongoDB.
 */
export async function detectFlavor(uri: string, timeoutMs = 10_000): Promise<DatabaseFlavor> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    return 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot reach the database at MONGODB_URI (${redactUri(uri)}): ${reason}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The URI without its password, for messages and logs. */
function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
