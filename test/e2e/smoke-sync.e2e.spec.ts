import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { Device } from '../support/sync-client.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(testConfig('smoke'));
  });
  afterAll(() => t?.close());

  it('creates, commits, lists, reads the delta and downloads', async () => {
    const s = await t.api.register();
    const d = new Device(t.api, s.tokens.accessToken);
    await d.latest();
    const f = await d.post('/v1/folders', { path: '/Docs' });
    expect(f.status).toBe(201);
    const data = randomBytes(5 * 1024 * 1024);
    const c = await d.putFile({ path: '/Docs/a.bin' }, data);
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const list = await t.api.get('/v1/files/list?path=/&recursive=true', s.tokens.accessToken);
    expect(list.body.entries.map((e: any) => e.path)).toEqual(['/Docs', '/Docs/a.bin']);
    const delta = await d.sync();
    expect(delta.map((e) => e.path)).toEqual(['/Docs', '/Docs/a.bin']);
    const dl = await d.download(`id=${c.body.entry.id}`);
    expect(dl.status).toBe(200);
    expect(dl.body.equals(data)).toBe(true);
  });
});
