import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { Device } from '../support/sync-client.js';

describe('perf probe', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(testConfig('perf'));
  });
  afterAll(() => t?.close());

  it('times writes', async () => {
    const s = await t.api.register();
    const d = new Device(t.api, s.tokens.accessToken);
    await d.latest();
    const f = await d.post('/v1/folders', { path: '/F' });
    for (const n of [50, 50, 50]) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const r = await d.post('/v1/files/commit', { parentId: f.body.entry.id, name: `x${Math.random()}`, blocks: [], size: 0 });
        expect(r.status).toBe(201);
      }
      console.log('ms/op', (performance.now() - t0) / n);
    }
  }, 120000);
});
