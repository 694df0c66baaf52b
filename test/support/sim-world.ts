import { afterAll, beforeAll, expect } from 'vitest';
import { startTestApp, type TestApp } from './test-app.js';
import { testConfig } from './test-env.js';
import { diffFolders, readFolder, serverFolder, SimDevice } from './sync-sim.js';

/**
 * A test file's world for SDK devices: one server and one account for the file (hooks
 * registered here), devices made on demand and destroyed at the end.
 */
export function useSimWorld(label: string, env: Record<string, string> = {}): {
  /** The server (set once beforeAll has run). */
  app: () => TestApp;
  device: (name: string) => Promise<SimDevice>;
  /** Every device's folder equals the server's tree, with no temp files left. */
  expectConverged: (...ds: SimDevice[]) => Promise<void>;
} {
  let t: TestApp | undefined;
  let account: { email: string; password: string };
  const devices: SimDevice[] = [];

  beforeAll(async () => {
    t = await startTestApp(testConfig(label, 'fs', env));
    account = await t.api.register();
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await t?.close();
  });

  const app = (): TestApp => {
    if (!t) throw new Error('the test server is not started yet');
    return t;
  };
  return {
    app,
    device: async (name) => {
      const d = await SimDevice.create(app().url, account, name);
      devices.push(d);
      return d;
    },
    expectConverged: async (...ds) => {
      const server = await serverFolder(ds[0]!.client);
      for (const d of ds) {
        const { entries, temps } = await readFolder(d.root);
        expect(diffFolders(entries, server, d.name, 'server')).toEqual([]);
        expect(temps).toEqual([]);
      }
    },
  };
}
