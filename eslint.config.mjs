// ESLint flat config: @eslint/js recommended plus typescript-eslint's type-checked recommended rules,
// for the package source (lib/) and the tests (test/). Types come from the nearest tsconfig.json.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'example-app/nest/dist/', '**/node_modules/', 'test/.snippets/']),
  {
    files: ['lib/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // As tsc's noUnusedParameters: a leading underscore marks a parameter that must exist but is unused
      // (e.g. `_next` in an Express error handler, which Express recognises by its four parameters).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // One style for private members (lib/README.md): #name. JustLoginStrategy is the exception: Passport runs each
    // request on Object.create(strategy), on which #name cannot be read.
    files: ['lib/**/*.ts'],
    ignores: ['lib/sign-in/strategy.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: ':matches(PropertyDefinition, MethodDefinition, TSParameterProperty)[accessibility="private"]',
          message: 'Private members are #name fields and methods (lib/README.md).',
        },
      ],
    },
  },
  {
    // Tests read JSON bodies from supertest and passport's untyped middleware: `any` by design there.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
