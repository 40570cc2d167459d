// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import rxjsX from 'eslint-plugin-rxjs-x';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** The chain of layers, bottom up: each folder may import only the folders before it. */
const CHAIN = [
  'errors',
  'ports',
  // the one copy of each small Rx helper (fromCall, alongside, isPromiseLike, isRecord)
  'rx',
  'api',
  'sources',
  'bus',
  'logging',
  'resources',
  // the VPN (yagna's net API) over the resources; its Node-only TCP proxy is golem-rx/net
  'network',
  'operators',
  'strategies',
  // rentals and pools of them: the spending operators and the resources, on the node's market
  'rental',
  'node',
  'engine',
];

/** The folders of {@link CHAIN} below `folder`. */
const below = (/** @type {string} */ folder) => CHAIN.slice(0, CHAIN.indexOf(folder));

/**
 * The layers of `src/` (docs/design.md, "The layers as built"): each folder and the folders it may
 * import, type-only and dynamic imports included. Any other import runs up a layer (or sideways into
 * a neighbour) and fails `npm run lint`. The floor (`errors`, `ports`) imports nothing above it; the
 * chain from `api` to `engine` imports only down; the folders beside the chain import only what is
 * listed. The entries at the top of `src/` (`src/*.ts`) may import anything and no folder imports
 * them. test/lint/layers.test.ts checks that this picture is acyclic, that it names every folder of
 * `src/`, and that the source keeps it.
 *
 * @type {Readonly<Record<string, readonly string[]>>}
 */
export const LAYERS = {
  ...Object.fromEntries(CHAIN.map((folder) => [folder, below(folder)])),
  engine: [...below('engine'), 'storage'],
  // beside the chain
  // file transfer through yagna's GSB API: browser-safe (in the core), over the client's transport
  gsb: below('sources'),
  // Node-only: the HTTP transfer server, and the GSB storage on Node's `ws` and local files
  storage: [...below('api'), 'gsb'],
  // NATS: the connection (golem-rx/nats), under the parts that run on it
  nats: below('api'),
  'bus/net': [...below('resources'), 'nats'],
  promises: [...below('api'), 'nats'],
  integrations: [...CHAIN],
  // one job, many requestor processes: a job's tasks on a JetStream work queue (golem-rx/nats)
  jobs: [...CHAIN, 'nats'],
  dashboard: [...CHAIN, 'integrations'],
  testing: below('engine'),
};

/** The files of a folder of {@link LAYERS} (the in-process bus is `src/bus` without `src/bus/net`). */
export function layerFiles(/** @type {string} */ folder) {
  if (folder === 'bus') return ['src/bus/*.ts', 'src/bus/!(net)/**'];
  return [`src/${folder}/**`];
}

/** The `import-x/no-restricted-paths` zones that encode {@link LAYERS}: one a folder. */
function layerZones() {
  const folders = Object.keys(LAYERS);
  return folders.map((folder) => {
    const allowed = LAYERS[folder] ?? [];
    const forbidden = folders.filter((other) => other !== folder && !allowed.includes(other));
    return {
      target: layerFiles(folder),
      from: [...forbidden.flatMap(layerFiles), 'src/*.ts'],
      message:
        `src/${folder} may import only ${allowed.length === 0 ? 'nothing of src/' : allowed.map((f) => `src/${f}`).join(', ')}: ` +
        'no import runs up a layer or sideways (docs/design.md, "The layers as built").',
    };
  });
}

/** Resolves the sources' specifiers as TypeScript does: `./x.js` is `./x.ts`. */
const sourceResolver = createNodeResolver({
  extensions: ['.ts', '.js', '.json'],
  extensionAlias: { '.js': ['.ts', '.js'] },
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      '.tmp/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['src/**/*.ts', 'packages/*/src/**/*.ts'],
    ...rxjsX.configs.recommended,
  },
  {
    files: ['src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { patterns: ['rxjs/internal/*'] }],
      'rxjs-x/no-exposed-subjects': 'error',
      'rxjs-x/no-ignored-replay-buffer': 'error',
      'rxjs-x/no-unsafe-takeuntil': 'error',
      'rxjs-x/throw-error': 'error',
    },
  },
  {
    // the layers (LAYERS above)
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [sourceResolver] },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layerZones() }],
      // a self-import by package name would go around the layers (and ties the module graph to the build)
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['rxjs/internal/*'] },
            {
              group: ['golem-rx', 'golem-rx/*', '@golem-rx/*'],
              message: 'inside src/, import a module by its relative path, so that the layer rule checks it.',
            },
          ],
        },
      ],
    },
  },
  {
    // devnet runs without the library: it may import golem-rx's types, nothing at run time
    files: ['packages/devnet/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [sourceResolver] },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'golem-rx',
              allowTypeImports: true,
              message:
                'devnet does not depend on the library at run time: import its types only (`import type`).',
            },
          ],
          patterns: [
            {
              group: ['golem-rx/*', '@golem-rx/cli', '@golem-rx/cli/*'],
              allowTypeImports: true,
              message:
                'devnet does not depend on the library or the CLI at run time: import types only, from `golem-rx`.',
            },
          ],
        },
      ],
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: 'packages/devnet/src',
              from: ['src', 'packages/cli'],
              message:
                "devnet does not depend on the library or the CLI: import the library's types from `golem-rx`.",
            },
          ],
        },
      ],
    },
  },

  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: [
      'test/**/*.ts',
      'marbles/**/*.ts',
      'bench/**/*.ts',
      'examples/**/*.ts',
      'packages/*/test/**/*.ts',
      'packages/*/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
