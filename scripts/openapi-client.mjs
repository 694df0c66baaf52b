// The SDK's wire types, generated from the committed OpenAPI document with openapi-typescript:
// `node scripts/openapi-client.mjs` rewrites client/src/sdk/generated/openapi.ts, `--check` fails
// when it is stale. `npm run openapi` runs it after writing docs/openapi.json from the server.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_FILE = path.join(ROOT, 'docs', 'openapi.json');
export const CLIENT_TYPES_FILE = path.join(ROOT, 'client', 'src', 'sdk', 'generated', 'openapi.ts');

const BANNER = `/* Generated from docs/openapi.json by scripts/openapi-client.mjs (openapi-typescript): do not edit.
 * Run \`npm run openapi\` after changing the server's DTOs; client/src/sdk/types.ts names these. */
`;

/** The TypeScript of `doc` (the OpenAPI document as text). */
export async function generateClientTypes(doc = readFileSync(OPENAPI_FILE, 'utf8')) {
  // Without defaultNonNullable: false, fields that have a default would come out required;
  // enumValues adds each enum's values as a constant (the CLI offers them as choices).
  const ast = await openapiTS(JSON.parse(doc), { defaultNonNullable: false, alphabetize: false, enumValues: true });
  return BANNER + astToString(ast);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ts = await generateClientTypes();
  const rel = path.relative(process.cwd(), CLIENT_TYPES_FILE);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CLIENT_TYPES_FILE, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== ts) {
      process.stderr.write(`${rel} is out of date: run \`npm run openapi\` and commit it.\n`);
      process.exit(1);
    }
    process.stdout.write(`${rel} is current\n`);
  } else {
    writeFileSync(CLIENT_TYPES_FILE, ts);
    process.stdout.write(`wrote ${rel}\n`);
  }
}
