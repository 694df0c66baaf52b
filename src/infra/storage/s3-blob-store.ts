import { PassThrough, type Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertKey, BlobIntegrityError, BlobNotFoundError, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.js';
import { HashingStream, verifyBytes } from './hashing-stream.js';

export interface S3BlobStoreOptions {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
  prefix: string;
  createBucket: boolean;
}

/**
 * Blobs as objects `<prefix><key>` in one bucket of any S3-compatible server.
 *
 * A put sends the expected SHA-256 as `x-amz-checksum-sha256`, so the server itself refuses
 * bytes that do not match and never stores them (AWS, MinIO, versitygw and Ceph verify it).
 * The bytes are hashed here too, as a second check.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly opts: S3BlobStoreOptions) {
    const log = new Logger('S3');
    const config: S3ClientConfig = {
      // The SDK warns on console when an aborted upload (a client that hung up, a body that
      // failed its hash) cannot be retried: expected here, so it goes to our debug log.
      logger: {
        trace: () => undefined,
        debug: (...a: unknown[]) => log.debug({ sdk: a }),
        info: (...a: unknown[]) => log.debug({ sdk: a }),
        warn: (...a: unknown[]) => log.debug({ sdk: a }),
        error: (...a: unknown[]) => log.warn({ sdk: a }),
      },
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    };
    this.client = new S3Client(config);
  }

  private objectKey(key: string): string {
    assertKey(key);
    return this.opts.prefix + key;
  }

  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.opts.bucket }));
    } catch (err) {
      if (!this.opts.createBucket || httpStatus(err) !== 404) throw err;
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.opts.bucket }));
      } catch (createErr) {
        // Another process created it between our HEAD and CREATE.
        const name = (createErr as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw createErr;
      }
    }
  }

  async put(key: string, body: Readable | Uint8Array, expected: { sha256: string; size: number }): Promise<void> {
    if (body instanceof Uint8Array) {
      verifyBytes(body, expected);
      await this.client.send(new PutObjectCommand({ ...this.putParams(key, expected), Body: body })).catch((err: unknown) => {
        if (isChecksumRejection(err)) throw new BlobIntegrityError('hash', 'the S3 server rejected the checksum');
        throw err;
      });
      return;
    }
    const hasher = new HashingStream(expected.size);
    const upload = new PassThrough();
    const abort = new AbortController();
    // The body is checked as it streams; once it is known to be wrong (too long, too short,
    // another hash, or the client vanished) the upload is aborted, so the server never waits
    // for bytes that will not come and never completes the object.
    const piping = pipeline(body, hasher, upload).then(() => hasher.verify(expected));
    piping.catch(() => abort.abort());
    const sending = this.client.send(
      new PutObjectCommand({ ...this.putParams(key, expected), Body: upload }),
      { abortSignal: abort.signal },
    );
    const [piped, sent] = await Promise.allSettled([piping, sending]);
    if (piped.status === 'rejected') {
      // Only on a server that ignores x-amz-checksum-sha256 can bad bytes have been stored.
      if (sent.status === 'fulfilled') await this.delete(key);
      throw piped.reason;
    }
    if (sent.status === 'rejected') {
      if (isChecksumRejection(sent.reason)) throw new BlobIntegrityError('hash', 'the S3 server rejected the checksum');
      throw sent.reason;
    }
  }

  /** What every put sends besides its body: the checksum makes the S3 server refuse bad bytes too. */
  private putParams(key: string, expected: { sha256: string; size: number }) {
    return {
      Bucket: this.opts.bucket,
      Key: this.objectKey(key),
      ContentLength: expected.size,
      ContentType: 'application/octet-stream',
      ChecksumSHA256: Buffer.from(expected.sha256, 'hex').toString('base64'),
    };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.opts.bucket,
          Key: this.objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return res.Body as Readable;
    } catch (err) {
      if (httpStatus(err) === 404) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.objectKey(key) }));
      return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
    } catch (err) {
      if (httpStatus(err) === 404) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.objectKey(key) }));
  }

  async *list(): AsyncIterable<BlobInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.opts.prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(this.opts.prefix.length), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.opts.bucket }));
  }

  destroy(): void {
    this.client.destroy();
  }
}

function httpStatus(err: unknown): number | undefined {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isChecksumRejection(err: unknown): boolean {
  const name = (err as { name?: string; Code?: string })?.name ?? '';
  return ['BadDigest', 'XAmzContentSHA256Mismatch', 'InvalidDigest', 'InvalidChecksum'].includes(name);
}
