/**
 * Validation of recorded yagna exchanges against the OpenAPI 3.0 specs vendored in specs/yagna
 * (their source and commit: specs/yagna/README.md).
 *
 * How the specs become JSON Schema for ajv (after a YAML fix-up, see `loadSpecs`):
 * - each YAML file is registered whole under its file name as `$id` (`market-api.yaml`), so the
 *   spec's own refs resolve unchanged: `#/components/schemas/X` inside the file and
 *   `common.yaml#/components/schemas/Reason` across files;
 * - response / requestBody refs (not JSON Schema) are followed here, and the body schema is
 *   compiled as `{ $ref: '<file>#/<pointer to …/content/application~1json/schema>' }`;
 * - OpenAPI's `nullable: true` becomes a `null` type (and a `null` enum member);
 * - a schema with `properties` but no `type` gets `type: object` (what OpenAPI means; without it
 *   `Allocation.paymentPlatform: oneOf [PaymentPlatform, string]` matches a string twice);
 * - for request bodies, `readOnly` properties are dropped from `required` (OpenAPI semantics);
 * - `strict: false` (OpenAPI keywords such as `discriminator`, `example` are ignored);
 *   OpenAPI-only formats (`float`, `int32`, `decimal`…) are accepted as annotations.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

const FILES = ['common', 'market-api', 'activity-api', 'payment-api', 'identity-api', 'version-api'] as const;
/** Where each API's paths live, by the client's canonical base path. */
const BASES: [prefix: string, file: string][] = [
  ['/market-api/v1', 'market-api.yaml'],
  ['/activity-api/v1', 'activity-api.yaml'],
  ['/payment-api/v1', 'payment-api.yaml'],
  ['/me', 'identity-api.yaml'],
  ['/version', 'version-api.yaml'],
];

/** The repository root, found from this file (works in a fresh clone). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'golem-rx') return dir;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('golem-rx repository root not found');
    dir = parent;
  }
}

function transform(node: unknown, forRequest: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => transform(n, forRequest));
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = transform(v, forRequest);
  if (out.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    delete out.nullable;
  }
  const props = out.properties;
  const isSchemaProperties =
    typeof props === 'object' && props !== null && !('$ref' in out) && !('in' in out);
  if (isSchemaProperties && out.type === undefined && out.allOf === undefined) out.type = 'object';
  if (forRequest && isSchemaProperties && Array.isArray(out.required)) {
    const p = props as Record<string, Json>;
    out.required = (out.required as string[]).filter((name) => p[name]?.readOnly !== true);
  }
  return out;
}

function pointer(parts: string[]): string {
  return '/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** One compiled body schema, or `undefined` when the spec declares no JSON body. */
export type BodyValidator = ValidateFunction | undefined;

export interface SpecOperation {
  readonly file: string;
  readonly specPath: string;
  readonly method: string;
  /** Declared statuses (strings, plus `default`). */
  readonly statuses: readonly string[];
  /** Names of the query parameters the spec declares. */
  readonly queryParams: readonly string[];
  request(): BodyValidator;
  response(status: number): BodyValidator;
}

export interface OpenApiSpecs {
  /** The operation for a client path template, or `undefined` if the spec has none. */
  operation(method: string, pathTemplate: string): SpecOperation | undefined;
  /** A validator for a component schema, e.g. (`market-api.yaml`, `AgreementTerminatedEvent`). */
  schema(file: string, name: string): ValidateFunction;
  /** Does the file define this component schema? */
  hasSchema(file: string, name: string): boolean;
}

export function loadSpecs(dir = path.resolve(repoRoot(), 'specs/yagna')): OpenApiSpecs {
  const raw = new Map<string, Json>();
  for (const f of FILES) {
    // market-api.yaml and activity-api.yaml close a multi-line quoted description with a `'` that
    // is not indented past its key, which strict YAML parsers reject; indenting that lone quote
    // does not change the value (folded line breaks drop leading spaces).
    const text = readFileSync(path.join(dir, `${f}.yaml`), 'utf8').replace(/^( *)'$/gm, "$1    '");
    raw.set(`${f}.yaml`, parse(text) as Json);
  }
  const makeAjv = (forRequest: boolean): Ajv => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
    addFormats(ajv);
    for (const f of ['float', 'double', 'int32', 'int64', 'decimal', 'hex', 'binary', 'integer'])
      ajv.addFormat(f, true);
    for (const [file, doc] of raw) ajv.addSchema(transform(doc, forRequest) as Json, file);
    return ajv;
  };
  const responseAjv = makeAjv(false);
  const requestAjv = makeAjv(true);

  /** Follows a response / requestBody `$ref` (not JSON Schema) to `[file, path parts]`. */
  const follow = (file: string, parts: string[]): [string, string[]] => {
    let node: unknown = raw.get(file);
    for (const p of parts) node = (node as Json | undefined)?.[p];
    const ref = (node as Json | undefined)?.$ref;
    if (typeof ref !== 'string') return [file, parts];
    const [refFile, frag] = ref.split('#') as [string, string];
    return follow(
      refFile === '' ? file : refFile,
      frag.split('/').filter((s) => s !== ''),
    );
  };
  const bodyValidator = (ajv: Ajv, file: string, parts: string[]): BodyValidator => {
    const [f, p] = follow(file, parts);
    let node: unknown = raw.get(f);
    for (const part of p) node = (node as Json | undefined)?.[part];
    const content = (node as Json | undefined)?.content as Json | undefined;
    if (content?.['application/json'] === undefined) return undefined;
    return ajv.compile({ $ref: `${f}#${pointer([...p, 'content', 'application/json', 'schema'])}` });
  };

  /** A parameter object, its `$ref` (local or `common.yaml#/parameters/…`) followed. */
  const resolveParameter = (file: string, p: Json): Json => {
    const ref = p.$ref;
    if (typeof ref !== 'string') return p;
    const [refFile, frag] = ref.split('#') as [string, string];
    let node: unknown = raw.get(refFile === '' ? file : refFile);
    for (const part of frag.split('/').filter((x) => x !== '')) node = (node as Json | undefined)?.[part];
    return (node as Json | undefined) ?? {};
  };

  return {
    operation(method, pathTemplate) {
      const base = BASES.find(([prefix]) => pathTemplate.startsWith(prefix));
      if (base === undefined) return undefined;
      const [prefix, file] = base;
      const local =
        file === 'identity-api.yaml' || file === 'version-api.yaml'
          ? pathTemplate
          : pathTemplate.slice(prefix.length);
      const paths = raw.get(file)?.paths as Record<string, Json> | undefined;
      const op = paths?.[local]?.[method.toLowerCase()] as Json | undefined;
      if (op === undefined) return undefined;
      const responses = Object.keys(op.responses as Json);
      const parameters = [
        ...((paths?.[local]?.parameters as Json[]) ?? []),
        ...((op.parameters as Json[]) ?? []),
      ];
      const queryParams = parameters
        .map((p) => resolveParameter(file, p))
        .filter((p) => p.in === 'query')
        .map((p) => String(p.name));
      return {
        file,
        specPath: local,
        method,
        statuses: responses,
        queryParams,
        request: () =>
          op.requestBody === undefined
            ? undefined
            : bodyValidator(requestAjv, file, ['paths', local, method.toLowerCase(), 'requestBody']),
        response: (status) => {
          const key = responses.includes(String(status)) ? String(status) : 'default';
          return bodyValidator(responseAjv, file, ['paths', local, method.toLowerCase(), 'responses', key]);
        },
      };
    },
    hasSchema(file, name) {
      const schemas = (raw.get(file)?.components as Json | undefined)?.schemas as Json | undefined;
      return schemas !== undefined && Object.hasOwn(schemas, name);
    },
    schema(file, name) {
      return responseAjv.compile({ $ref: `${file}#${pointer(['components', 'schemas', name])}` });
    },
  };
}
