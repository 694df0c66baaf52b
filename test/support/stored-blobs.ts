import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { AppConfig } from '../../src/config/app-config.js';

/** The keys of every stored blob (fs: files under ab/cd/, ignoring tmp/; s3: objects under the prefix). */
export async function storedBlobKeys(config: AppConfig): Promise<string[]> {
  const bs = config.blobStore;
  if (bs.kind === 'fs') {
    const out: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (depth === 0 && e.name === 'tmp') continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p, depth + 1);
        else out.push(e.name);
      }
    };
    await walk(bs.dir, 0);
    return out.sort();
  }
  const client = new S3Client({
    ...(bs.endpoint ? { endpoint: bs.endpoint } : {}),
    region: bs.region,
    forcePathStyle: bs.forcePathStyle,
    ...(bs.credentials ? { credentials: bs.credentials } : {}),
  });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bs.bucket, Prefix: bs.prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(bs.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  } finally {
    client.destroy();
  }
}

/** Files left in the fs store's temp area (always [] for s3). */
export async function fsTempFiles(config: AppConfig): Promise<string[]> {
  if (config.blobStore.kind !== 'fs') return [];
  return readdir(path.join(config.blobStore.dir, 'tmp')).catch(() => []);
}
