import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['**/dist/**', 'node_modules/**', '.scratch*/**', 'oclif.manifest.json', '**/*.d.ts']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {Buffer: 'readonly', console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', AbortController: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly'}},
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-console': ['error', {allow: ['error']}],
    },
  },
  {
    // Tests, the emulator, the demo and the benchmark talk to people on the console.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off'},
  },
)
