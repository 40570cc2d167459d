/**
 * The net API's exchanges (the library's client against devnet, over loopback HTTP) checked against
 * the vendored spec, net-api-v2.yaml (specs/yagna): every status is one the operation declares, and
 * every JSON body, request and response, fits its schema. v1's shapes are the same (one devnet
 * store under both prefixes; the schemas compared here).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type DevnetHandle, startDevnet } from '@golem-rx/devnet';
import { resolveYagnaConfig } from '../../src/api/config.js';
import type { YagnaExchange } from '../../src/api/exchange.js';
import { createNetApi } from '../../src/network/netApi.js';
import { repoRoot } from '../contract/support/openapi.js';

type Json = Record<string, unknown>;

const spec = (name: string): Json => parse(readFileSync(`${repoRoot()}/specs/yagna/${name}`, 'utf8')) as Json;

describe('net API v2 exchanges against net-api-v2.yaml', () => {
  let devnet: DevnetHandle;
  const exchanges: YagnaExchange[] = [];
  const v2 = spec('net-api-v2.yaml');
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  ajv.addSchema(spec('common.yaml'), 'common.yaml');
  ajv.addSchema(v2, 'net-api-v2.yaml');

  beforeAll(async () => {
    devnet = await startDevnet({ providers: 0, seed: 2 });
    const config = resolveYagnaConfig(
      { url: devnet.url, appKey: devnet.appKey, onExchange: (e) => exchanges.push(e) },
      {},
    );
    const net = createNetApi(config);
    const { id } = await net.createNetwork({ ip: '192.168.0.0', mask: '255.255.255.0' });
    await net.getNetwork(id);
    await net.getNetworks();
    await net.addAddress(id, { ip: '192.168.0.7' });
    await net.getAddresses(id);
    await net.addNode(id, { id: devnet.requestorId, ip: '192.168.0.1' });
    await net.addNode(id, { id: '0x' + 'a'.repeat(40), ip: '192.168.0.2' });
    await net.getNodes(id);
    await net.removeNode(id, '0x' + 'a'.repeat(40));
    await expect(net.addNode(id, { id: 'x', ip: '10.0.0.1' })).rejects.toThrow();
    await expect(net.createNetwork({ ip: 'nope' })).rejects.toThrow();
    await net.removeNetwork(id);
    await expect(net.getNetwork(id)).rejects.toThrow();
  });
  afterAll(async () => devnet.stop());

  /** The operation of an exchange in the spec (`servers: /net-api/v2`). */
  const operationOf = (e: YagnaExchange): Json => {
    const local = e.pathTemplate.replace(/^\/net-api\/v2/, '');
    const op = ((v2.paths as Json)[local] as Json | undefined)?.[e.method.toLowerCase()] as Json | undefined;
    if (op === undefined) throw new Error(`${e.method} ${e.pathTemplate} is not in net-api-v2.yaml`);
    return op;
  };

  it('made every call of the flow, successes and refusals', () => {
    expect(exchanges.map((e) => `${e.method} ${e.pathTemplate} ${e.status}`)).toEqual([
      'POST /net-api/v2/vpn/net 200',
      'GET /net-api/v2/vpn/net/{networkId} 200',
      'GET /net-api/v2/vpn/net 200',
      'POST /net-api/v2/vpn/net/{networkId}/addresses 200',
      'GET /net-api/v2/vpn/net/{networkId}/addresses 200',
      'POST /net-api/v2/vpn/net/{networkId}/nodes 200',
      'POST /net-api/v2/vpn/net/{networkId}/nodes 200',
      'GET /net-api/v2/vpn/net/{networkId}/nodes 200',
      'DELETE /net-api/v2/vpn/net/{networkId}/nodes/{nodeId} 200',
      'POST /net-api/v2/vpn/net/{networkId}/nodes 400',
      'POST /net-api/v2/vpn/net 400',
      'DELETE /net-api/v2/vpn/net/{networkId} 200',
      'GET /net-api/v2/vpn/net/{networkId} 404',
    ]);
  });

  it('answers only statuses the operations declare', () => {
    for (const e of exchanges) {
      const declared = Object.keys(operationOf(e).responses as Json);
      expect(declared, `${e.method} ${e.pathTemplate} ${e.status}`).toContain(String(e.status));
    }
  });

  it('sends request bodies and answers success bodies that fit the schemas', () => {
    for (const e of exchanges) {
      const op = operationOf(e);
      const where = `${e.method} ${e.pathTemplate}`;
      const requestRef = (op.requestBody as Json | undefined)?.$ref as string | undefined;
      if (requestRef !== undefined) {
        const name = requestRef.split('/').pop()!;
        const validate = ajv.compile({
          $ref: `net-api-v2.yaml#/components/requestBodies/${name}/content/application~1json/schema`,
        });
        expect(validate(e.requestBody), `${where} request: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
      if (e.status === undefined || e.status >= 300) continue;
      const responseRef = ((op.responses as Json)[String(e.status)] as Json).$ref as string | undefined;
      if (responseRef === undefined) {
        // "Node added." and the like: no body declared; yagna answers JSON `null`
        expect(e.responseBody ?? null, where).toBeNull();
        continue;
      }
      const name = responseRef.split('/').pop()!;
      const validate = ajv.compile({
        $ref: `net-api-v2.yaml#/components/responses/${name}/content/application~1json/schema`,
      });
      expect(validate(e.responseBody), `${where} response: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('v1 declares the same shapes devnet serves under /net-api/v1', () => {
    const v1 = spec('net-api.yaml');
    const schemas = (doc: Json) => (doc.components as Json).schemas as Json;
    for (const name of ['Address', 'Node', 'Connection'])
      expect(schemas(v1)[name], name).toEqual(schemas(v2)[name]);
    // v1's Network requires every field, which devnet always answers
    expect((schemas(v1).Network as Json).required).toEqual(['id', 'ip', 'mask', 'gateway']);
  });
});
