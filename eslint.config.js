// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

/**
 * Saga definitions and the engine are pure: they run inside `transition()` and must give the same
 * answer for the same input, on replay, on any instance. So they may not reach I/O, the clock or
 * randomness. This is enforced here rather than by a comment (Temporal's workflow sandbox does the
 * same with `disallowedModules`).
 */
const PURE_FOLDERS = ['sagas/**/*.ts', 'orchestrator/engine/**/*.ts'];

const NODE_BUILTINS = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'tls',
  'child_process',
  'cluster',
  'worker_threads',
  'os',
  'process',
  'crypto',
  'timers',
  'timers/promises',
  'readline',
  'stream',
  'perf_hooks',
  'async_hooks',
  'v8',
  'vm',
];

const pureRules = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        ...['kafkajs', 'ioredis', 'express', '@opentelemetry/api'].map((name) => ({
          name,
          message:
            'Pure code (sagas/, orchestrator/engine/) cannot do I/O; return effects instead.',
        })),
        ...NODE_BUILTINS.map((name) => ({
          name,
          message: 'Pure code (sagas/, orchestrator/engine/) cannot use Node built-ins.',
        })),
      ],
      patterns: [
        {
          group: ['node:*'],
          message: 'Pure code (sagas/, orchestrator/engine/) cannot use Node built-ins.',
        },
        {
          group: ['**/store/**', '**/transport/**', '**/kafka/**', '**/api/**', '**/telemetry/**'],
          message: 'Pure code cannot import the I/O rooms of the orchestrator.',
        },
      ],
    },
  ],
  'no-restricted-properties': [
    'error',
    {
      object: 'Date',
      property: 'now',
      message: 'Time is an input: take it from the event or a Clock.',
    },
    {
      object: 'Math',
      property: 'random',
      message: 'Randomness breaks replay: take ids from the input.',
    },
    {
      object: 'performance',
      property: 'now',
      message: 'Time is an input: take it from the event or a Clock.',
    },
    {
      object: 'crypto',
      property: 'randomUUID',
      message: 'Randomness breaks replay: take ids from the input.',
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['setTimeout', 'setInterval', 'setImmediate', 'fetch', 'process', 'require'].map((name) => ({
      name,
      message:
        'Pure code cannot schedule, fetch or read the process; deadlines are `after` delays.',
    })),
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: '`new Date()` reads the clock: take the time from the event or a Clock.',
    },
  ],
};

const TEST_SLEEP_MESSAGE =
  'Tests do not sleep: wait for the condition with eventually/until from test/support/eventually.ts ' +
  '(within for a deadline, elapse only when time itself must pass).';

export default tseslint.config(
  {
    ignores: ['node_modules/', '.infra/', 'dist/', 'coverage/', 'dashboards/generated/', 'helm/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import-x/no-cycle': 'error',
      // kafkajs and mocha take async callbacks whether or not they await.
      '@typescript-eslint/require-await': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Only configuration modules read the environment; everything else gets options.
    files: ['orchestrator/**/*.ts', 'participants/**/*.ts', 'sagas/**/*.ts', 'cli/**/*.ts'],
    ignores: ['**/config/**', '**/config.ts', '**/main.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the environment in a config module only.',
        },
      ],
    },
  },
  {
    files: PURE_FOLDERS,
    rules: pureRules,
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // chai's `expect(x).to.be.true` is an expression statement by design.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    // Tests wait for a condition, never for a guessed time: a sleep is slow when it is long enough
    // and flaky when it is not. The waits live in test/support/eventually.ts.
    files: ['test/**/*.ts'],
    ignores: ['test/support/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          'CallExpression[callee.name=/^(setTimeout|setInterval)$/]',
          'CallExpression[callee.property.name=/^(setTimeout|setInterval)$/]',
          'ImportDeclaration[source.value=/^(node:)?timers/]',
        ].map((selector) => ({ selector, message: TEST_SLEEP_MESSAGE })),
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
