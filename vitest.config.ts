import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Vitest with SWC: esbuild cannot emit decorator metadata, which Nest's DI needs.
export default defineConfig({
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }),
  ],
  test: {
    // One FerretDB and one S3 server (versitygw) for the whole run; each test file gets its
    // own database and its own key prefix.
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The JSON report is what .ci/run counts from.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // Tiers are folders: test/unit (pure logic), test/integration (real FerretDB / S3),
    // test/e2e (the whole server over HTTP and MQTT). `vitest run test/unit` runs one tier.
    include: ['test/**/*.spec.ts'],
  },
});
