// ESLint flat config: strict TS rules plus the import boundaries of DESIGN.md §1 (layers that must not leak).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
const heavyRuntime = [
  { group: ['electron', 'electron/*'], message: 'Electron lives in src/main and src/preload only.' },
  { group: ['better-sqlite3'], message: 'The database lives in src/main only.' },
  { group: ['@tensorflow/*'], message: 'TensorFlow.js lives in src/main/engine (the worker side) only.' },
];
const noNode = [
  { group: ['node:*', ...nodeBuiltins], message: 'This layer runs without Node: use src/shared or the API client.' },
];
const ours = (layers, message) => ({
  group: layers.flatMap((l) => [`**/${l}`, `**/${l}/**`]),
  message,
});

/** One no-restricted-imports rule per layer, so each message says which boundary was crossed. */
const boundary = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  {
    ignores: ['node_modules/**', '.loupe/**', 'test-results/**', 'out/**', 'dist/**', 'coverage/**', 'e2e/artifacts/**', 'bench/results/**', 'tools/reference/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    // Ambient `declare module` files describe other tools' default exports (Vite's ?worker), not ours.
    ignores: ['**/*.d.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: "Program > VariableDeclaration > VariableDeclarator[id.name='require']", message: 'Name it something else (requireHere): the desktop build declares its own module-level `require` in every chunk.' },
      ],
    },
  },
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: boundary([
      ...heavyRuntime,
      ...noNode,
      ours(['main', 'renderer', 'preload', 'cli'], 'src/shared imports nothing of ours outside src/shared.'),
    ]),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: boundary([
      ...heavyRuntime,
      ...noNode,
      ours(['main', 'preload', 'cli'], 'The renderer imports only src/shared and its own code.'),
    ]),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: boundary([
      heavyRuntime[1],
      heavyRuntime[2],
      ours(['main', 'renderer', 'cli'], 'The preload bridges IPC only; it imports src/shared.'),
    ]),
  },
  {
    files: ['src/main/engine/**/*.ts'],
    rules: boundary([
      heavyRuntime[0],
      heavyRuntime[1],
      ours(['store', 'host', 'scheduler', 'monitor', 'renderer', 'preload', 'cli'],
        'The engine (worker side) imports TF.js and src/shared only: never Electron, the DB or main services.'),
    ]),
  },
  {
    files: ['src/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      ...boundary([
        heavyRuntime[0],
        heavyRuntime[1],
        ours(['renderer', 'preload'], 'The CLI uses main services, never the UI.'),
        { group: ['**/main/store/*', '!**/main/store/db.ts'], message: 'The CLI goes through the services (src/main/services), never the store.' },
      ]),
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: "MemberExpression[property.name='store']", message: 'The CLI goes through the services, never services.store.' },
        { selector: "Program > VariableDeclaration > VariableDeclarator[id.name='require']", message: 'Name it something else (requireHere): the desktop build declares its own module-level `require` in every chunk.' },
      ],
    },
  },
);
