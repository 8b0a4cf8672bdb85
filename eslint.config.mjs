import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.nx/**', 'runs/**', 'docs/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The dependency rule (root README): pure packages import only pure
    // packages; backends add backends; apps and tools may use both. Tags are
    // in each project's package.json (`nx.tags`).
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // the shared jest helpers (README example runner) are test infrastructure, not a project
          allow: ['^\\.\\./\\.\\./\\.\\./tools/jest/'],
          depConstraints: [
            { sourceTag: 'scope:pure', onlyDependOnLibsWithTags: ['scope:pure'] },
            {
              sourceTag: 'scope:backend',
              onlyDependOnLibsWithTags: ['scope:pure', 'scope:backend'],
            },
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:pure', 'scope:backend'] },
            {
              sourceTag: 'scope:tool',
              // tools drive the apps too (the fuzz corpus reads the app's config keys)
              onlyDependOnLibsWithTags: ['scope:pure', 'scope:backend', 'scope:app', 'scope:tool'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
