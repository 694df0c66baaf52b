import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';

/** Where the database is; resolved in main.ts (or a test) before the module graph is built. */
export class DatabaseTarget {
  constructor(
    readonly uri: string,
    readonly dbName: string,
    /** 'ferretdb' when we know the server is FerretDB (embedded or test). */
    readonly flavor: 'mongodb' | 'ferretdb',
  ) {}
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
        }),
      ],
      providers: [{ provide: DatabaseTarget, useValue: target }],
      exports: [DatabaseTarget],
    };
  }
}
