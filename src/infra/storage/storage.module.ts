import { Global, Inject, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { BLOB_STORE, type BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

export function createBlobStore(config: AppConfig['blobStore']): BlobStore {
  switch (config.kind) {
    case 'fs':
      return new FsBlobStore(config.dir);
    case 's3':
      return new S3BlobStore(config);
  }
}

@Global()
@Module({
  providers: [{ provide: BLOB_STORE, inject: [AppConfig], useFactory: (c: AppConfig) => createBlobStore(c.blobStore) }],
  exports: [BLOB_STORE],
})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('BlobStore');
  constructor(@Inject(BLOB_STORE) private readonly store: BlobStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.init();
    this.logger.log({ kind: this.store.kind }, 'blob store ready');
  }

  onApplicationShutdown(): void {
    if (this.store instanceof S3BlobStore) this.store.destroy();
  }
}
