import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { createRootLogger, NestPinoLogger } from './common/logging/logger.js';
import { DatabaseTarget } from './infra/database/database.module.js';
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from './infra/database/embedded-ferretdb.js';
import { detectFlavor } from './infra/database/flavor.js';
import { StartupError } from './infra/process/startup-error.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pocketCloud cannot start.\n${err.message}\nSee .env.example for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createRootLogger(config.logLevel);
  const logger = new NestPinoLogger(log);
  if (config.auth.jwtSecretGenerated) {
    log.warn('JWT_SECRET is not set: using a generated secret stored under DATA_DIR/secrets (fine for one machine)');
  }

  let embedded: EmbeddedFerretDb | undefined;
  let app: NestExpressApplication | undefined;
  const shutdown = async (code: number): Promise<never> => {
    await app?.close().catch((err: unknown) => log.error({ err }, 'error while closing'));
    await embedded?.stop();
    log.flush();
    process.exit(code);
  };

  try {
    let target: DatabaseTarget;
    if (config.database.mode === 'external') {
      target = new DatabaseTarget(config.database.uri, config.database.dbName, await detectFlavor(config.database.uri));
    } else {
      embedded = await startEmbeddedFerretDb({
        dataDir: config.database.dataDir,
        port: config.database.port,
        binary: config.database.binary,
      });
      embedded.onUnexpectedExit((code) => {
        log.fatal({ code }, 'the embedded FerretDB exited; stopping');
        void shutdown(1);
      });
      target = new DatabaseTarget(embedded.uri, config.database.dbName, 'ferretdb');
    }

    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, target), {
      bodyParser: false,
      logger,
      abortOnError: false,
    });
    configureApp(app, config, log);
    // app.close() runs every module's shutdown hook; then FerretDB stops.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void shutdown(0));

    await app.listen(config.http.port, config.http.host);
    const url = (await app.getUrl()).replace('[::1]', 'localhost');
    log.info({ url, docs: `${url}/docs`, database: target.flavor, blobStore: config.blobStore.kind }, 'pocketCloud is listening');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof StartupError) log.fatal(err.message);
    else if (e.code === 'EADDRINUSE') log.fatal(`port ${config.http.port} is in use; set PORT to a free port`);
    else if (e.name === 'MongooseServerSelectionError' || e.name === 'MongoServerSelectionError') {
      log.fatal({ err: e.message }, 'cannot reach the database at MONGODB_URI');
    } else log.fatal({ err }, 'start-up failed');
    await shutdown(1);
  }
}

void main();
