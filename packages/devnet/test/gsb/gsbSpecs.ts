/**
 * The vendored GSB specs (specs/yagna/gsb-api.yaml, gsb-api-messages.yaml) as ajv validators: the
 * REST bodies of the GSB API and the websocket messages (decoded from flexbuffers).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const specs = fileURLToPath(new URL('../../../../specs/yagna/', import.meta.url));
const load = (file: string): Record<string, unknown> =>
  parse(readFileSync(`${specs}${file}`, 'utf8')) as Record<string, unknown>;

const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
ajv.addSchema(load('common.yaml'), 'common.yaml');
ajv.addSchema(load('gsb-api.yaml'), 'gsb-api.yaml');
ajv.addSchema(load('gsb-api-messages.yaml'), 'gsb-api-messages.yaml');

const schema = (file: string, name: string): ValidateFunction =>
  ajv.compile({ $ref: `${file}#/components/schemas/${name}` });

/** The GSB API's schemas (gsb-api.yaml) and the websocket's (gsb-api-messages.yaml). */
export const gsbSpecs = {
  servicesRequest: schema('gsb-api.yaml', 'ServicesRequest'),
  servicesResponse: schema('gsb-api.yaml', 'ServicesResponse'),
  gsbRequest: schema('gsb-api-messages.yaml', 'gsbRequest'),
  gsbResponse: schema('gsb-api-messages.yaml', 'gsbResponse'),
};

/** The spec's own base path and the websocket subprotocol-free facts the tests compare against. */
export const gsbSpecFacts = {
  basePath: ((load('gsb-api.yaml').servers as { url: string }[])[0] ?? { url: '' }).url,
};
