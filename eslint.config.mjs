// Type-aware lint (typescript-eslint's type-checked rules) for everything under src/: the runtime,
// the nodes and the editor (src/editor, with its own browser tsconfig). Tests and benches get the
// recommended rules without type information (node:test's describe/it return promises nobody
// awaits). Plain recommended rules for the build scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default tseslint.config(
  // resources/nextleg-editor.js is built from src/editor.
  { ignores: ['dist/', 'node_modules/', '.nodered/', 'test-artifacts/', 'resources/nextleg-editor.js'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './src/editor/tsconfig.json'],
        tsconfigRootDir: root,
      },
    },
    rules: {
      // A task's own failure is passed on as it came (the caller decides what it means).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Jimp's declarations type its image instances as `any`.
    files: ['src/core/image/thumbnail.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
