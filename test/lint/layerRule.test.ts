// `npm run lint` fails on an import running up a layer: ESLint, with the repository's own
// eslint.config.js, on snippets placed inside src/ (and devnet's src/).
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LAYER_RULE = 'import-x/no-restricted-paths';
const DEVNET_RULE = '@typescript-eslint/no-restricted-imports';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: root,
    // The probes are not files on disk, so the type-aware program cannot see them: parse them
    // without it and run only the rules under test (their zones, resolver and options are the
    // repository's, from eslint.config.js).
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === LAYER_RULE || ruleId === DEVNET_RULE,
  });
});

/** The messages of one rule on `code`, linted as if it were the file `file` (relative to the root). */
async function lint(file: string, code: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  expect(result?.messages.filter((m) => m.fatal === true)).toEqual([]);
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

describe('the layer rule', () => {
  it('fails an import from src/api up to src/resources', async () => {
    const messages = await lint(
      'src/api/layerProbe.ts',
      "import { Agreement } from '../resources/Agreement.js';\nexport const probe: unknown = Agreement;\n",
      LAYER_RULE,
    );
    expect(messages).toEqual([
      expect.stringContaining('"../resources/Agreement.js" imported in restricted zone'),
    ]);
    expect(messages[0]).toContain('src/api may import only src/errors, src/ports, src/rx:');
  });

  it('passes an import from src/api down to the errors and the ports', async () => {
    const code = [
      "import { GolemRxError } from '../errors/GolemRxError.js';",
      "import type { OfferProposal } from '../ports/index.js';",
      'export const probe: unknown = GolemRxError;',
      'export type Probe = OfferProposal;',
      '',
    ].join('\n');
    expect(await lint('src/api/layerProbe.ts', code, LAYER_RULE)).toEqual([]);
  });

  it.each([
    [
      'a type-only import',
      "import type { Agreement } from '../resources/Agreement.js';\nexport type Probe = Agreement;\n",
    ],
    [
      'a dynamic import',
      "export const probe = (): Promise<unknown> => import('../resources/Agreement.js');\n",
    ],
    ['a re-export', "export { Agreement } from '../resources/Agreement.js';\n"],
  ])('fails %s up a layer as well', async (_kind, code) => {
    expect(await lint('src/sources/layerProbe.ts', code, LAYER_RULE)).toHaveLength(1);
  });

  it.each([
    ['src/resources', 'src/resources/layerProbe.ts', "import { score } from '../operators/score.js';", 1],
    [
      'src/integrations → dashboard',
      'src/integrations/layerProbe.ts',
      "import { startDashboard } from '../dashboard/startDashboard.js';",
      1,
    ],
    ['src/testing → engine', 'src/testing/layerProbe.ts', "import { Task } from '../engine/Task.js';", 1],
    [
      'src/storage → promises (sideways)',
      'src/storage/layerProbe.ts',
      "import { isPromiseId } from '../promises/PromiseId.js';",
      1,
    ],
    ['src/bus → bus/net', 'src/bus/layerProbe.ts', "import { Endpoint } from './net/Endpoint.js';", 1],
    ['src/operators → an entry', 'src/operators/layerProbe.ts', "import { score } from '../index.js';", 1],
    [
      'src/operators → resources',
      'src/operators/layerProbe.ts',
      "import { Agreement } from '../resources/Agreement.js';",
      0,
    ],
    [
      'src/operators → node',
      'src/operators/layerProbe.ts',
      "import { GolemNode } from '../node/GolemNode.js';",
      1,
    ],
    ['src/node → operators', 'src/node/layerProbe.ts', "import { score } from '../operators/score.js';", 0],
    ['src/bus/net → bus', 'src/bus/net/layerProbe.ts', "import { EventBus } from '../EventBus.js';", 0],
    [
      'src/dashboard → integrations',
      'src/dashboard/layerProbe.ts',
      "import { toStatusJson } from '../integrations/statusJson.js';",
      0,
    ],
    [
      'src/engine → storage',
      'src/engine/layerProbe.ts',
      "import { StorageServer } from '../storage/StorageServer.js';",
      0,
    ],
  ])('%s: %i error(s)', async (_name, file, line, errors) => {
    const code = `${line}\nexport const probe: unknown[] = [${/import \{ (\w+) \}/.exec(line)![1]!}];\n`;
    expect(await lint(file, code, LAYER_RULE)).toHaveLength(errors);
  });
});

describe("devnet's rule", () => {
  it('fails a run-time import of the library', async () => {
    const code =
      "import { createYagnaApi } from 'golem-rx';\nexport const probe: unknown = createYagnaApi;\n";
    expect(await lint('packages/devnet/src/layerProbe.ts', code, DEVNET_RULE)).toEqual([
      expect.stringContaining('devnet does not depend on the library at run time'),
    ]);
  });

  it('fails a relative import into the library or the CLI', async () => {
    const code = [
      "import { toWireAmount } from '../../../src/api/amounts.js';",
      "import { runCli } from '../../cli/src/index.js';",
      'export const probe: unknown[] = [toWireAmount, runCli];',
      '',
    ].join('\n');
    expect(await lint('packages/devnet/src/layerProbe.ts', code, LAYER_RULE)).toEqual([
      expect.stringContaining('devnet does not depend on the library or the CLI'),
      expect.stringContaining('devnet does not depend on the library or the CLI'),
    ]);
  });

  it('passes a type-only import of the library', async () => {
    const code = "import type { AgreementState } from 'golem-rx';\nexport type Probe = AgreementState;\n";
    expect(await lint('packages/devnet/src/layerProbe.ts', code, DEVNET_RULE)).toEqual([]);
  });
});
