// Lint: TypeScript rules plus the import rules that keep the layers apart (docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const NODE_BUILTINS = ['fs', 'path', 'net', 'child_process', 'os', 'http', 'https', 'dgram', 'tls', 'worker_threads', 'cluster'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'docs/**', 'test/fixtures/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'import-x/no-cycle': 'off',
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
      // The direction of imports (DESIGN.md): renderer → shared; main/preload → services →
      // engine, link, shared; engine → shared only; nothing imports the renderer.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './electron/engine', from: './electron', except: ['./engine'], message: 'The engine is sans-IO: it imports only shared/ and itself.' },
            { target: './electron/engine', from: './renderer' },
            { target: './shared', from: './electron', message: 'shared/ is used by both sides and imports neither.' },
            { target: './shared', from: './renderer' },
            { target: './renderer', from: './electron', message: 'The renderer reaches the main side only through the contract.' },
            { target: './electron', from: './renderer', message: 'Nothing imports the renderer.' },
            { target: './electron/link', from: './electron/services' },
            { target: './electron/link', from: './electron/main' },
            { target: './electron/services', from: './electron/main', message: 'main is bootstrap only; services must run without Electron.' },
            { target: './electron/services', from: './electron/cli' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'serialport', ...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`)].map((name) => ({ name, message: 'The engine is sans-IO.' })),
          patterns: [{ group: ['@serialport/*'], message: 'The engine is sans-IO.' }],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Time is fed in: return a wakeAt action.' }, { name: 'setInterval', message: 'Time is fed in.' }, { name: 'setImmediate', message: 'Time is fed in.' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'serialport', 'electron-store', ...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`)].map((name) => ({ name, message: 'The renderer talks only through the contract.' })),
          patterns: [{ group: ['node:*', '@serialport/*'], message: 'The renderer talks only through the contract.' }],
        },
      ],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/link/**/*.ts', 'electron/simulator/**/*.ts', 'electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Services, links, the simulator and the CLI run without Electron.' }] }],
    },
  },
);
