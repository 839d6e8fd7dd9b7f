// ESLint (flat config) with typescript-eslint's type-aware rules: `npm run lint:es`.
// A modest, bug-finding set (STYLE.md habit 14): promises that nobody awaits or that go
// where a void callback is expected, thrown non-errors, and errors swallowed by empty
// catch blocks or do-nothing handlers. Formatting is Prettier's job, imports dependency-cruiser's,
// unused locals tsc's (noUnusedLocals).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import noSwallowedErrors from './scripts/eslint/no-swallowed-errors.mjs';

export default defineConfig(
  {
    ignores: ['node_modules/', 'data/', 'migrations/', 'tests/fixtures/platform/', '.tmp/', 'scratch/'],
  },
  {
    linterOptions: {
      // A suppression that no longer suppresses anything is stale: remove it.
      reportUnusedDisableDirectives: 'error',
    },
  },
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    extends: [js.configs.recommended, tseslint.configs.base],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      parserOptions: {
        // tsconfig.json's program for the .ts/.tsx files; the .mjs/.js/.cjs files tsconfig does not
        // include get a default project with tsconfig.json's compiler options.
        projectService: {
          allowDefaultProject: [
            '*.js',
            '*.cjs',
            'bin/*.mjs',
            'engine/store/*.mjs',
            'gpu-worker/*.mjs',
            'scripts/*.mjs',
            'scripts/eslint/*.mjs',
            'tests/fixtures/*.mjs',
            'review-web/static/*.js',
          ],
          defaultProject: 'tsconfig.json',
          // typescript-eslint refuses more than 8 files in the default project (a guard against a glob
          // that swallows the tree); these are a handful of small entry shims and scripts — measured cheap.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 24,
        },
        tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)),
      },
      globals: {
        // Node 20: the globals the sources use.
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    plugins: { greenlight: { rules: { 'no-swallowed-errors': noSwallowedErrors } } },
    rules: {
      // Swallowed errors: an empty block (catch included) needs at least a comment saying why.
      'no-empty': ['error', { allowEmptyCatch: false }],
      'greenlight/no-swallowed-errors': 'error',
      // Promises: every one is awaited, returned, or explicitly `void`ed; none goes where a
      // void callback is expected (its rejection would be unhandled).
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test collects describe()/it() itself: their returned promises are not ours to await.
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Throw and reject with Error objects only (STYLE.md: no thrown strings).
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
    },
  },
  {
    // The review web's browser script: a classic script (CSP script-src 'self'), browser globals.
    files: ['review-web/static/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly',
        location: 'readonly',
        window: 'readonly',
        HTMLInputElement: 'readonly',
        CSS: 'readonly',
        alert: 'readonly',
        EventSource: 'readonly',
        DOMParser: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // TypeScript checks these itself (tsc --noEmit): undefined names, unused locals, redeclared overloads.
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [tseslint.configs.eslintRecommended],
    rules: {
      'no-unused-vars': 'off',
      'no-redeclare': 'off',
    },
  },
);
