import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';

/** A database name no other test file uses (FerretDB allows [a-zA-Z0-9_-]{1,63}). */
export function uniqueDbName(label: string): string {
  const clean = label.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 40);
  return `t_${clean}_${randomBytes(4).toString('hex')}`;
}

export type BlobStoreKind = 'fs' | 's3';

/** Environment for a test server: the run's FerretDB and S3 server, a fresh database and data dir. */
export function testEnv(label: string, blobStore: BlobStoreKind = 'fs', extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `pocketcloud-${label.replace(/[^a-z0-9]/gi, '')}-`));
  const s3 = inject('s3');
  return {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    MONGODB_URI: inject('mongoUri'),
    MONGODB_DB: uniqueDbName(label),
    LOG_LEVEL: process.env.PC_TEST_LOG ?? 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    MQTT_TCP_PORT: '0',
    BLOB_STORE: blobStore,
    ...(blobStore === 's3'
      ? {
          S3_ENDPOINT: s3.endpoint,
          S3_REGION: s3.region,
          S3_BUCKET: 'pocketcloud-test',
          S3_ACCESS_KEY_ID: s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
          S3_PREFIX: `${randomBytes(4).toString('hex')}/`,
        }
      : {}),
    ...extra,
  };
}

export function testConfig(label: string, blobStore: BlobStoreKind = 'fs', extra: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnv(label, blobStore, extra));
}
