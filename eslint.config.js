import js from '@eslint/js'
import {createTypeScriptImportResolver} from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

/*
 * The layers (CONTRIBUTING.md, README "Architecture") are held here rather than by memory:
 * - src/lib/ is a leaf: small helpers that import nothing of the project;
 * - the flow contract (src/flows/contract.ts) imports nothing: it is what plugins compile against;
 * - commands parse, call a service and render: no file system, network or child processes;
 * - flow plugins import only types from the core ('entratool') and never MSAL: what they need
 *   reaches them through the flow context, as a plugin installed later cannot resolve the core;
 * - the core never imports a flow plugin.
 * Import cycles: import-x/no-cycle for value imports here, and scripts/import-cycles.ts (npm run
 * lint) for every import, type-only and dynamic ones included.
 */

/** Node modules doing IO that a command leaves to a service (STYLE.md habit 1). */
const IO_MODULES = ['fs', 'http', 'https', 'http2', 'net', 'child_process']
const IO_IMPORTS = [...IO_MODULES, 'fs/promises'].flatMap((m) => [m, `node:${m}`])
/** For `await import()`, which no-restricted-imports does not see (esquery regex: `/` written \u002F). */
const IO_IMPORT_PATTERN = `^(node:)?(${IO_MODULES.join('|')})(\\u002Fpromises)?$`

const NO_PLUGIN = {group: ['@entratool/*'], message: 'The core never imports a flow plugin: plugins register through the entratool:flows hook.'}

export default tseslint.config(
  {ignores: ['**/dist/**', 'node_modules/**', '.scratch*/**', 'oclif.manifest.json', '**/*.d.ts']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {Buffer: 'readonly', console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', AbortController: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly'},
      parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname},
    },
    plugins: {'import-x': importX},
    settings: {'import-x/extensions': ['.ts', '.js', '.mjs'], 'import-x/parsers': {'@typescript-eslint/parser': ['.ts']}, 'import-x/resolver-next': [createTypeScriptImportResolver({noWarnOnMultipleProjects: true, project: ['tsconfig.test.json', 'plugins/*/tsconfig.json', 'examples/*/tsconfig.json']})]},
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      // Type-aware: the rules that catch bugs here. The no-unsafe-* family is left off: JSON from
      // files, servers and child processes is `any` by nature (some 380 findings, mostly tests).
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', {considerDefaultExhaustiveForUnions: true}],
      'import-x/first': 'error',
      'import-x/newline-after-import': 'error',
      'import-x/no-cycle': ['error', {ignoreExternal: true}],
      'import-x/no-duplicates': 'error',
      // Packages and node: modules in one block, then the project's own, each alphabetical.
      'import-x/order': ['error', {alphabetize: {caseInsensitive: true, order: 'asc'}, groups: [['builtin', 'external'], ['internal', 'parent', 'sibling', 'index']], 'newlines-between': 'always'}],
      'no-console': ['error', {allow: ['error']}],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {patterns: [NO_PLUGIN]}],
    },
  },
  {
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {patterns: [NO_PLUGIN, {regex: '^\\.\\./', message: 'src/lib/ is a leaf: it imports nothing of the project. Move the code that needs this out of lib/.'}]}],
    },
  },
  {
    files: ['src/flows/contract.ts'],
    rules: {
      'no-restricted-imports': ['error', {patterns: [{regex: '.', message: 'The flow contract imports nothing: plugins compile against it alone.'}]}],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {paths: IO_IMPORTS.map((name) => ({message: 'Commands parse, call a service and render: file, network and process IO belong in a service.', name})), patterns: [NO_PLUGIN]}],
      'no-restricted-syntax': ['error', {message: 'Commands parse, call a service and render: file, network and process IO belong in a service.', selector: `ImportExpression[source.value=/${IO_IMPORT_PATTERN}/]`}],
    },
  },
  {
    files: ['plugins/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{allowTypeImports: true, message: 'A plugin imports only types from the core: what it needs comes through the flow context.', name: 'entratool'}],
        patterns: [
          {allowTypeImports: true, group: ['entratool/*'], message: 'A plugin imports only types from the core: what it needs comes through the flow context.'},
          {regex: '^\\.\\./\\.\\./', message: 'A plugin imports the core only as the package `entratool`, never by path.'},
        ],
      }],
      'no-restricted-syntax': ['error', {message: 'A plugin imports only types from the core.', selector: 'ImportExpression[source.value=/^entratool(\\u002F|$)/]'}],
    },
  },
  {
    files: ['plugins/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {paths: [{message: 'Flow plugins reach MSAL only through the contract\'s operations.', name: '@azure/msal-node'}]}],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests, the emulator, the demo and the benchmark talk to people on the console.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {'@typescript-eslint/no-explicit-any': 'off', 'no-console': 'off'},
  },
  {
    // A test server's async request handler: a failure fails the request the test awaits.
    files: ['test/**/*.ts'],
    rules: {'@typescript-eslint/no-misused-promises': ['error', {checksVoidReturn: {arguments: false}}]},
  },
)
