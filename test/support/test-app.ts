import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { createRootLogger, NestPinoLogger } from '../../src/common/logging/logger.js';
import { detectFlavor } from '../../src/infra/database/flavor.js';
import { DatabaseTarget } from '../../src/infra/database/database.module.js';
import { ApiClient } from './api-client.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  api: ApiClient;
  close(): Promise<void>;
}

/**
 * The real server, configured exactly as main.ts does, on an ephemeral loopback port, against
 * the run's FerretDB. `override` may swap providers at the boundaries we cannot reach (FCM, the clock).
 */
export async function startTestApp(
  config: AppConfig,
  opts: { override?: (b: TestingModuleBuilder) => TestingModuleBuilder; logTo?: NodeJS.WritableStream } = {},
): Promise<TestApp> {
  if (config.database.mode !== 'external') throw new Error('tests need MONGODB_URI');
  const target = new DatabaseTarget(config.database.uri, config.database.dbName, await detectFlavor(config.database.uri));
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, target)] });
  if (opts.override) builder = opts.override(builder);
  const moduleRef = await builder.compile();
  const log = createRootLogger(config.logLevel, opts.logTo);
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: new NestPinoLogger(log) });
  configureApp(app, config, log);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    config,
    url,
    api: new ApiClient(url),
    close: async () => {
      await app.close();
    },
  };
}
