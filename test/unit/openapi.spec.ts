import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi, OPENAPI_FILE } from '../../src/cli/openapi.js';
import { CLIENT_TYPES_FILE, generateClientTypes } from '../../scripts/openapi-client.mjs';

describe('the committed OpenAPI document', () => {
  it('is current (run `npm run openapi` after changing the API)', async () => {
    const generated = await generateOpenApi();
    expect(JSON.parse(generated).paths['/v1/me']).toBeDefined();
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(generated);
  });

  it("is what the SDK's generated types were made from (run `npm run openapi`)", async () => {
    const generated = await generateClientTypes(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(generated).toContain('export interface paths');
    expect(generated).toContain('"/v1/files/commit"');
    expect(readFileSync(CLIENT_TYPES_FILE, 'utf8')).toBe(generated);
  });
});
