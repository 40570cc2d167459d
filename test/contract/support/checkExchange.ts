/**
 * Checks one recorded exchange against the spec: the operation exists, the query parameters are
 * declared, the request body validates, the status is declared, the response body validates
 * (polymorphic events also against the schema their `eventType` names). Exemptions document
 * where Real yagna, which devnet reproduces, departs from the spec (REQUESTOR-GUIDE §8).
 */
import type { ValidateFunction } from 'ajv';
import type { YagnaExchange } from '../../../src/api/exchange.js';
import type { OpenApiSpecs } from './openapi.js';

/** A documented departure of Real yagna from the spec for one endpoint. */
export interface Exemption {
  /** Why, with the guide's reference. */
  readonly why: string;
  /** Real answers `real` where the spec declares `spec`; the body is checked against `spec`'s schema. */
  readonly status?: { readonly real: number; readonly spec: number };
  /** The route is not in the spec (or not with this method): check the body against this component. */
  readonly schema?: { readonly file: string; readonly name: string };
  /** Turns the Real body into the spec's shape before validation (each change documented in `why`). */
  readonly adaptResponse?: (body: unknown) => unknown;
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`)
    .join('; ');
}

/** The problems of one exchange, as readable lines; `[]` when it conforms. */
export function checkExchange(
  specs: OpenApiSpecs,
  exchange: YagnaExchange,
  exemptions: Readonly<Record<string, Exemption>>,
): string[] {
  const key = `${exchange.method} ${exchange.pathTemplate}`;
  const problems: string[] = [];
  const exemption = exemptions[key];
  const op = specs.operation(exchange.method, exchange.pathTemplate);
  const status = exchange.status;
  if (status === undefined) return [`${key}: no response`];

  if (op === undefined) {
    if (exemption?.schema === undefined) return [`${key}: not in the spec`];
    const validate = specs.schema(exemption.schema.file, exemption.schema.name);
    const body = exemption.adaptResponse
      ? exemption.adaptResponse(exchange.responseBody)
      : exchange.responseBody;
    if (!validate(body)) problems.push(`${key} → ${status}: ${describeErrors(validate)}`);
    return problems;
  }

  for (const name of Object.keys(exchange.query)) {
    if (!op.queryParams.includes(name)) problems.push(`${key}: query parameter ${name} is not declared`);
  }
  const request = op.request();
  if (exchange.requestBody !== undefined) {
    if (request === undefined) problems.push(`${key}: sends a body the spec does not declare`);
    else if (!request(exchange.requestBody)) problems.push(`${key} request: ${describeErrors(request)}`);
  }

  let specStatus = status;
  if (!op.statuses.includes(String(status))) {
    if (exemption?.status?.real === status) specStatus = exemption.status.spec;
    else return [...problems, `${key}: status ${status} is not declared (${op.statuses.join(', ')})`];
  }
  if (status >= 300) return problems;
  const response = op.response(specStatus);
  const body = exemption?.adaptResponse
    ? exemption.adaptResponse(exchange.responseBody)
    : exchange.responseBody;
  if (response !== undefined && body !== undefined && body !== null) {
    if (!response(body)) problems.push(`${key} → ${status}: ${describeErrors(response)}`);
    for (const [i, item] of (Array.isArray(body) ? body : [body]).entries()) {
      const eventType = (item as { eventType?: unknown } | null)?.eventType;
      if (typeof eventType !== 'string') continue;
      if (!specs.hasSchema(op.file, eventType)) {
        problems.push(`${key} → [${i}]: eventType ${eventType} is not a schema of ${op.file}`);
        continue;
      }
      const sub = specs.schema(op.file, eventType);
      if (!sub(item)) problems.push(`${key} → [${i}] ${eventType}: ${describeErrors(sub)}`);
    }
  }
  return problems;
}

/** Drops `null`-valued fields (Real serialises absent optional fields as `null`). */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)]),
  );
}
