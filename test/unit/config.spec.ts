import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseEnv } from '../../src/config/app-config.js';
import { ENV_KEYS } from '../../src/config/config.schema.js';
import { PROJECT_ROOT } from '../../src/infra/process/project-root.js';

const base = { DATA_DIR: '/tmp/pocketcloud-config-test', JWT_SECRET: 'x'.repeat(40) };

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('runs on defaults: embedded database, filesystem blobs, loopback', () => {
    const c = loadConfig(base);
    expect(c.database.mode).toBe('embedded');
    expect(c.blobStore.kind).toBe('fs');
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(c.auth.accessTokenTtlSeconds).toBe(900);
  });

  it('uses MONGODB_URI when set', () => {
    const c = loadConfig({ ...base, MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0', MONGODB_DB: 'prod' });
    expect(c.database).toEqual({ mode: 'external', uri: 'mongodb://db:27017/?replicaSet=rs0', dbName: 'prod' });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI'],
    [{ MONGODB_DB: 'has space' }, 'MONGODB_DB'],
    [{ BLOB_STORE: 'ftp' }, 'BLOB_STORE'],
    [{ BLOB_STORE: 's3' }, 'S3_BUCKET'],
    [{ BLOB_STORE: 's3', S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'id' }, 'S3_SECRET_ACCESS_KEY'],
    [{ S3_ENDPOINT: 'not a url' }, 'S3_ENDPOINT'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '5' }, 'ACCESS_TOKEN_TTL_SECONDS'],
    [{ REGISTRATION_OPEN: 'maybe' }, 'REGISTRATION_OPEN'],
    [{ TRUST_PROXY: 'sometimes' }, 'TRUST_PROXY'],
  ])('stops on %o, naming %s', (bad, variable) => {
    const found = problems({ ...base, ...bad });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toContain(variable);
  });

  it('names every bad variable at once', () => {
    const found = problems({ ...base, PORT: 'x', LOG_LEVEL: 'y' });
    expect(found.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(found.some((p) => p.startsWith('LOG_LEVEL'))).toBe(true);
  });

  it('never echoes a secret value in the message', () => {
    const found = problems({ ...base, JWT_SECRET: 'tiny-secret' });
    expect(found.join('\n')).not.toContain('tiny-secret');
  });

  it('requires JWT_SECRET in production', () => {
    expect(problems({ DATA_DIR: base.DATA_DIR, NODE_ENV: 'production' }).join()).toContain('JWT_SECRET');
  });

  it('generates a JWT secret once for the quick start and keeps it across restarts', () => {
    const dir = `/tmp/pocketcloud-config-secret-${process.pid}-${Date.now()}`;
    const a = loadConfig({ DATA_DIR: dir });
    const b = loadConfig({ DATA_DIR: dir });
    expect(a.auth.jwtSecretGenerated).toBe(true);
    expect(a.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(b.auth.jwtSecret).toBe(a.auth.jwtSecret);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...base, MONGODB_URI: '', PORT: '' }).database.mode).toBe('embedded');
  });

  it('documents every setting in .env.example, and nothing else', () => {
    const example = readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(ENV_KEYS));
  });

  it('is read from process.env in one file only', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('grep', ['-rl', 'process.env', path.join(PROJECT_ROOT, 'src')], { encoding: 'utf8' });
    expect(out.trim().split('\n').map((f) => path.relative(PROJECT_ROOT, f))).toEqual(['src/config/app-config.ts']);
  });
});
