import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', '.esbuild/', '.serverless/', '.local/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // esbuild cannot tree-shake zod's prebuilt `z` namespace object: it would bundle every locale (~260 KB).
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportDefaultSpecifier, ImportSpecifier[imported.name='z'][importKind!='type'])",
          message: "Use `import * as z from 'zod'` (tree-shakable); `import { type z }` is fine.",
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Tests read loosely typed JSON answers; asserting on them is the point.
      '@typescript-eslint/no-explicit-any': 'off',
      // No focused or skipped tests on main.
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'describe', property: 'only' },
        { object: 'test', property: 'only' },
        { object: 'it', property: 'skip' },
        { object: 'describe', property: 'skip' },
        { object: 'test', property: 'skip' },
      ],
    },
  },
  {
    // The unit tier runs anywhere: what opens a port or starts a process belongs to tests/component.
    files: ['tests/unit/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'node:http',
            'node:https',
            'node:net',
            'node:child_process',
            'http',
            'https',
            'net',
            'child_process',
          ].map((name) => ({
            name,
            message: 'It opens a port or starts a process: such a test belongs to tests/component.',
          })),
          patterns: [
            {
              group: [
                '**/support/fakeLambda',
                '**/stepfunctions/protocol',
                '**/local/localCloud',
                '**/support/consoleHarness',
              ],
              message: 'It starts a server: such a test belongs to tests/component.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
