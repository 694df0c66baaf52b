import { Global, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { skippedIndexes, uniqueIndexesOnly } from './index-policy.js';

/** Where the database is; resolved in main.ts (or a test) before the module graph is built. */
export class DatabaseTarget {
  constructor(
    readonly uri: string,
    readonly dbName: string,
    /** 'ferretdb' when we know the server is FerretDB (embedded or test). */
    readonly flavor: 'mongodb' | 'ferretdb',
  ) {}
}

/**
 * On FerretDB, drops the non-unique indexes an earlier version built (uniqueIndexesOnly), in
 * the background: dropping one changes no answer, only what each insert costs.
 */
@Injectable()
export class FerretDbIndexCleaner implements OnApplicationBootstrap {
  private readonly logger = new Logger(FerretDbIndexCleaner.name);

  constructor(
    private readonly target: DatabaseTarget,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  /** The pass made at start (settled: it never fails). */
  startPass: Promise<unknown> = Promise.resolve();

  onApplicationBootstrap(): void {
    if (this.target.flavor !== 'ferretdb') return;
    this.startPass = this.dropSkipped().catch((err: unknown) => this.logger.warn({ err }, 'could not drop unused indexes'));
  }

  /** Returns the indexes it dropped (`collection.name`). */
  async dropSkipped(): Promise<string[]> {
    const dropped: string[] = [];
    const collections = new Set(Object.values(this.connection.models).map((m) => m.collection.collectionName));
    for (const collection of collections) {
      for (const name of skippedIndexes(collection)) {
        const coll = this.connection.db?.collection(collection);
        if (!coll) continue;
        const existing = await coll.indexes().catch(() => []);
        if (!existing.some((i) => i.name === name)) continue;
        await coll.dropIndex(name);
        dropped.push(`${collection}.${name}`);
      }
    }
    if (dropped.length > 0) this.logger.log({ dropped }, 'dropped indexes FerretDB never reads');
    return dropped;
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(target: DatabaseTarget): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MongooseModule.forRoot(target.uri, {
          dbName: target.dbName,
          serverSelectionTimeoutMS: 10_000,
          // Indexes are the concurrency primitive (unique inserts), so they must exist
          // before the first write: build them at boot rather than lazily.
          autoIndex: true,
          autoCreate: true,
          connectionFactory: (connection: Connection) => {
            if (target.flavor === 'ferretdb') connection.plugin(uniqueIndexesOnly);
            return connection;
          },
        }),
      ],
      providers: [{ provide: DatabaseTarget, useValue: target }, FerretDbIndexCleaner],
      exports: [DatabaseTarget],
    };
  }
}
