import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import rxjsX from 'eslint-plugin-rxjs-x';
export default tseslint.config(
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: '/work/main' } } },
  { files: ['**/*.ts'], ...rxjsX.configs.recommended },
  { rules: { '@typescript-eslint/no-explicit-any': 'error', 'rxjs-x/no-exposed-subjects': 'error', 'rxjs-x/no-ignored-replay-buffer': 'error', 'rxjs-x/no-unsafe-takeuntil': 'error', 'rxjs-x/throw-error': 'error',
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }], '@typescript-eslint/require-await': 'off' } },
);
