import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../app.module.js';
import { buildOpenApiDocument } from '../app.setup.js';
import { loadConfig } from '../config/app-config.js';
import { DatabaseTarget } from '../infra/database/database.module.js';
import { PROJECT_ROOT } from '../infra/process/project-root.js';

export const OPENAPI_FILE = path.join(PROJECT_ROOT, 'docs', 'openapi.json');

/**
 * The OpenAPI document, built from the controllers without starting anything: Nest's preview
 * mode resolves the module graph but instantiates no provider, so no database is needed.
 */
export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({ DATA_DIR: path.join(PROJECT_ROOT, '.cache', 'openapi'), JWT_SECRET: 'x'.repeat(32) });
  const target = new DatabaseTarget('mongodb://127.0.0.1:1/', 'openapi', 'mongodb');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, target), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const doc = buildOpenApiDocument(app);
  await app.close();
  return JSON.stringify(doc, null, 2) + '\n';
}

// `node dist/cli/openapi.js` rewrites docs/openapi.json; `--check` fails if it is stale.
if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = await generateOpenApi();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OPENAPI_FILE, 'utf8');
    if (current !== doc) {
      process.stderr.write('docs/openapi.json is out of date: run `npm run openapi` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('docs/openapi.json is current\n');
  } else {
    writeFileSync(OPENAPI_FILE, doc);
    process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}\n`);
  }
}
