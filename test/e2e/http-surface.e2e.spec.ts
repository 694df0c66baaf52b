import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

describe.each(['fs', 's3'] as const)('HTTP surface with the %s blob store (e2e)', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(testConfig(`http_${store}`, store, { JSON_BODY_LIMIT_KB: '16' }));
  });
  afterAll(() => t?.close());

  it('GET /health reports the database and the blob store', async () => {
    const res = await t.api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      database: { ok: true, flavor: 'ferretdb' },
      blobStore: { ok: true, kind: store },
    });
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const spec = await t.api.get('/docs/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(spec.body.paths['/v1/auth/login'].post.operationId).toBe('login');
    const page = await fetch(`${t.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('puts a correlation id on every response, and keeps a sane incoming one', async () => {
    const a = await t.api.get('/health');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const b = await t.api.request('GET', '/v1/nowhere', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(b.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(b.body.requestId).toBe('trace-abc.123');
    const c = await t.api.request('GET', '/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(c.headers.get('x-request-id')).not.toBe('bad id with spaces');
  });

  it('answers an unknown route with ROUTE_NOT_FOUND in the error shape', async () => {
    const res = await t.api.get('/v1/nowhere');
    expect(res.status).toBe(404);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'requestId', 'statusCode']);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('refuses malformed JSON with MALFORMED_JSON', async () => {
    const res = await t.api.request('POST', '/v1/auth/login', { raw: '{"email": "a@', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('refuses a huge JSON body with BODY_TOO_LARGE before reading it all', async () => {
    const res = await t.api.request('POST', '/v1/auth/login', {
      raw: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(64 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('BODY_TOO_LARGE');
  });

  it('refuses a body that is not JSON where JSON is expected', async () => {
    const res = await t.api.request('POST', '/v1/auth/login', { raw: 'email=a', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});
