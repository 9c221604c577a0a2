// Lint: TypeScript rules plus the import rules that keep the layers apart (docs/architecture.md),
// written with ESLint's core no-restricted-imports (path patterns per folder).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'net', 'child_process', 'os', 'http', 'https', 'dgram', 'tls', 'worker_threads', 'cluster'];
const nodeIo = (message) => [...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`), 'serialport', 'electron'].map((name) => ({ name, message }));

/** One no-restricted-imports rule per folder: names and path patterns it must not import. */
function layer(files, { paths = [], patterns = [] }) {
  return { files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'docs/**', 'test/fixtures/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  // The direction of imports (DESIGN.md): renderer → shared; main/preload → services → engine,
  // link, shared; engine → shared only; nothing imports the renderer or electron/main.
  layer(['electron/engine/**/*.ts'], {
    paths: nodeIo('The engine is sans-IO.'),
    patterns: [
      { group: ['@serialport/*'], message: 'The engine is sans-IO.' },
      { group: ['**/link/**', '**/services/**', '**/simulator/**', '**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'The engine imports only shared/ and itself.' },
    ],
  }),
  layer(['shared/**/*.ts'], {
    paths: nodeIo('shared/ is used by both sides and does no I/O.'),
    patterns: [{ group: ['**/electron/**', '**/renderer/**', '../*/**'], message: 'shared/ imports neither side.' }],
  }),
  layer(['renderer/**/*.{ts,tsx}'], {
    paths: [...nodeIo('The renderer talks only through the contract.'), { name: 'electron-store', message: 'The renderer talks only through the contract.' }],
    patterns: [{ group: ['node:*', '@serialport/*', '**/electron/**'], message: 'The renderer talks only through the contract.' }],
  }),
  layer(['electron/link/**/*.ts'], {
    paths: [{ name: 'electron', message: 'Links run without Electron.' }],
    patterns: [{ group: ['**/services/**', '**/simulator/**', '**/cli/**', '**/main/**', '**/renderer/**'], message: 'A link knows only bytes.' }],
  }),
  layer(['electron/services/**/*.ts', 'electron/simulator/**/*.ts'], {
    paths: [{ name: 'electron', message: 'Services and the simulator run without Electron (CLI, station, tests).' }],
    patterns: [{ group: ['**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'Services do not import their callers.' }],
  }),
  layer(['electron/cli/**/*.ts'], {
    paths: [{ name: 'electron', message: 'The CLI runs without Electron.' }],
    patterns: [{ group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'The CLI builds on services.' }],
  }),
  layer(['electron/preload/**/*.ts'], {
    patterns: [{ group: ['**/services/**', '**/link/**', '**/engine/**', '**/simulator/**', 'node:*'], message: 'The preload exposes the contract, nothing else.' }],
  }),
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Time is fed in: return a wakeAt action.' }, { name: 'setInterval', message: 'Time is fed in.' }, { name: 'setImmediate', message: 'Time is fed in.' }],
    },
  },
);
