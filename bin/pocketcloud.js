#!/usr/bin/env node
// The `pocketcloud` command: the compiled CLI (npm run build:client builds dist-client/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist-client/client/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('pocketcloud: the client is not built; run `npm run build:client` first\n');
  process.exit(1);
}
await import(main.href);
