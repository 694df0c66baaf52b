// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { noForeignInternals } from './scripts/eslint/module-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/', 'dist-client/', 'node_modules/', '.cache/', 'data/', 'coverage/', 'test-results/', 'docs/openapi.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest's DI needs runtime class imports that look type-only to this rule.
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    // Modules talk through their services: no module imports another's repositories or schemas.
    files: ['src/**/*.ts'],
    plugins: { pocketcloud: { rules: { 'no-foreign-internals': noForeignInternals } } },
    rules: { 'pocketcloud/no-foreign-internals': 'error' },
  },
  {
    // Tests talk to JSON over HTTP; `any` there is the honest type of a response body.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
