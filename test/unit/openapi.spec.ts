import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi, OPENAPI_FILE } from '../../src/cli/openapi.js';

describe('the committed OpenAPI document', () => {
  it('is current (run `npm run openapi` after changing the API)', async () => {
    const generated = await generateOpenApi();
    expect(JSON.parse(generated).paths['/v1/me']).toBeDefined();
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(generated);
  });
});
