// Lint: TypeScript rules plus the import rules that keep the layers apart (docs/architecture.md),
// written with ESLint's core no-restricted-imports (path patterns per folder).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noImportCycle from './scripts/eslint/no-import-cycle.js';

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
  // The direction of imports (docs/architecture.md): renderer → shared;
  // main/preload/cli → app → features → runtime → engine, link, shared; the simulator sits beside
  // the features (it builds on engine, link and runtime); engine → shared only; nothing imports
  // the renderer or electron/main.
  {
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}', 'test/**/*.ts', 'bench/**/*.ts'],
    plugins: { omr: { rules: { 'no-import-cycle': noImportCycle } } },
    rules: { 'omr/no-import-cycle': 'error' },
  },
  layer(['electron/engine/**/*.ts'], {
    paths: nodeIo('The engine is sans-IO.'),
    patterns: [
      { group: ['@serialport/*'], message: 'The engine is sans-IO.' },
      {
        group: ['**/link/**', '**/runtime/**', '**/features/**', '**/app/**', '**/simulator/**', '**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'],
        message: 'The engine imports only shared/ and itself.',
      },
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
    patterns: [
      {
        group: ['**/runtime/**', '**/features/**', '**/app/**', '**/simulator/**', '**/cli/**', '**/main/**', '**/renderer/**'],
        message: 'A link knows only bytes.',
      },
    ],
  }),
  layer(['electron/runtime/**/*.ts'], {
    paths: [{ name: 'electron', message: 'The runtime runs without Electron.' }],
    patterns: [
      {
        group: ['**/features/**', '**/app/**', '**/simulator/**', '**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'],
        message: 'The runtime knows machines and links, not features.',
      },
    ],
  }),
  layer(['electron/simulator/**/*.ts'], {
    paths: [{ name: 'electron', message: 'The simulator runs without Electron.' }],
    patterns: [
      {
        group: ['**/features/**', '**/app/**', '**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'],
        message: 'The simulator is a meter: it knows no feature of the reader.',
      },
    ],
  }),
  layer(['electron/features/**/*.ts'], {
    paths: [{ name: 'electron', message: 'Features run without Electron (CLI, station, tests).' }],
    patterns: [{ group: ['**/app/**', '**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'A feature does not import its callers.' }],
  }),
  layer(['electron/app/**/*.ts'], {
    paths: [{ name: 'electron', message: 'The composition root runs without Electron (the station uses it).' }],
    patterns: [{ group: ['**/cli/**', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'The app wires features; its callers import it.' }],
  }),
  layer(['electron/cli/**/*.ts'], {
    paths: [{ name: 'electron', message: 'The CLI runs without Electron.' }],
    patterns: [{ group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'The CLI builds on the app and the features.' }],
  }),
  layer(['electron/preload/**/*.ts'], {
    patterns: [
      {
        group: ['**/features/**', '**/app/**', '**/runtime/**', '**/link/**', '**/engine/**', '**/simulator/**', 'node:*'],
        message: 'The preload exposes the contract, nothing else.',
      },
    ],
  }),
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Time is fed in: return a wakeAt action.' },
        { name: 'setInterval', message: 'Time is fed in.' },
        { name: 'setImmediate', message: 'Time is fed in.' },
      ],
    },
  },
);
