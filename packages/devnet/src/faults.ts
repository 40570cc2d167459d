/**
 * The fault plan of devnet: HTTP faults on chosen endpoints (an error status, added latency,
 * once, N times or with a probability) and behaviour faults of simulated providers. Chance
 * draws use the devnet's seeded PRNG, so a seed reproduces which request fails.
 *
 * SPEC syntax (the `--faults` flag), faults separated by `;`:
 *
 * ```text
 * http:<status>[+<ms>ms]@[<METHOD> ]<path-glob>[:times=<n>|:p=<probability>]
 * latency:<ms>[ms]@[<METHOD> ]<path-glob>[:times=<n>|:p=<probability>]
 * provider:<kind>[:p=<probability>][:providers=<id-or-name>,…][:factor=<x>]
 * ```
 *
 * `<status>` is 500, 408, 503 or 504; `<METHOD>` is GET, POST, PUT, DELETE or `*` (default `*`);
 * in the glob `*` matches one path segment and `**` any number. Without `times`/`p` the fault
 * fires on every matching request. Examples:
 * `http:500@GET /market-api/v1/demands/*\/events:times=2`,
 * `latency:300@/payment-api/**:p=0.5`, `provider:rejectCounter:p=0.3`,
 * `provider:neverApprove:providers=0xabc…,devnet-node-3`.
 */
import type { Fault, FaultCount, FaultPlan, HttpFault, ProviderFault } from './contracts.js';
import { DevnetConfigError } from './errors/DevnetConfigError.js';

/** The HTTP statuses an {@link HttpFault} may inject. */
export const FAULT_STATUSES: readonly NonNullable<HttpFault['status']>[] = [500, 408, 503, 504];

/** Every provider fault kind, in the order of `contracts.ts`. */
export const PROVIDER_FAULT_KINDS: readonly ProviderFault['kind'][] = [
  'rejectCounter',
  'rejectAgreement',
  'neverApprove',
  'crashActivity',
  'failCommand',
  'duplicatePaymentEvents',
  'outOfOrderPaymentEvents',
  'overpricedInvoice',
  'noInvoice',
];

/** What the HTTP layer must do to one request, after consulting the plan. */
export interface HttpFaultDecision {
  /** Extra latency in ms (sum of every firing fault). */
  readonly latencyMs: number;
  /** Status to answer instead of the real handler, if any fault says so. */
  readonly status?: NonNullable<HttpFault['status']>;
}

interface HttpEntry {
  readonly fault: HttpFault;
  readonly method: string;
  readonly path: RegExp;
  remaining: number;
}

/** The devnet implementation of {@link FaultPlan}, plus the HTTP matching the server uses. */
export class DevnetFaultPlan implements FaultPlan {
  private http: HttpEntry[] = [];
  private provider: ProviderFault[] = [];

  /** @param random the devnet's seeded PRNG (chance draws). */
  constructor(private readonly random: () => number) {}

  add(fault: Fault): void {
    if (fault.kind === 'http') {
      validateHttpFault(fault);
      const { method, path } = compileEndpoint(fault.endpoint);
      const remaining =
        typeof fault.count === 'object' && 'times' in fault.count ? fault.count.times : Infinity;
      this.http.push({ fault, method, path, remaining });
    } else {
      validateProviderFault(fault);
      this.provider.push(fault);
    }
  }

  clear(): void {
    this.http = [];
    this.provider = [];
  }

  /** The faults in force; an HTTP fault with `times` leaves the list once used up. */
  list(): readonly Fault[] {
    return [...this.http.map((e) => e.fault), ...this.provider];
  }

  providerHas(
    kind: ProviderFault['kind'],
    provider: { id: string; name: string },
  ): ProviderFault | undefined {
    for (const fault of this.provider) {
      if (fault.kind !== kind) continue;
      if (
        fault.providers !== undefined &&
        !fault.providers.some((p) => p === provider.id || p === provider.name)
      ) {
        continue;
      }
      const p = fault.probability ?? 1;
      if (p >= 1 || this.random() < p) return fault;
    }
    return undefined;
  }

  /**
   * Decides the HTTP faults of one request (consuming `times` and drawing chances).
   *
   * @param method the request method, e.g. `GET`.
   * @param path the URL path without the query string.
   */
  matchHttp(method: string, path: string): HttpFaultDecision | undefined {
    if (this.http.length === 0) return undefined;
    let latencyMs = 0;
    let status: HttpFaultDecision['status'];
    let fired = false;
    for (const entry of this.http) {
      if (entry.remaining <= 0) continue;
      if (entry.method !== '*' && entry.method !== method) continue;
      if (!entry.path.test(path)) continue;
      const count = entry.fault.count;
      if (typeof count === 'object' && 'probability' in count && !(this.random() < count.probability))
        continue;
      entry.remaining -= 1;
      fired = true;
      latencyMs += entry.fault.latencyMs ?? 0;
      status ??= entry.fault.status;
    }
    if (!fired) return undefined;
    this.http = this.http.filter((e) => e.remaining > 0);
    return status === undefined ? { latencyMs } : { latencyMs, status };
  }
}

/**
 * Parses a fault SPEC (see the module documentation) into faults for {@link FaultPlan.add}.
 *
 * @example parseFaultSpec('http:500@GET /market-api/v1/demands/*\/events:times=2;provider:rejectCounter:p=0.3')
 * @throws DevnetConfigError when the SPEC does not parse.
 */
export function parseFaultSpec(spec: string): Fault[] {
  return spec
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(parseOne);
}

function parseOne(text: string): Fault {
  const bad = (why: string): DevnetConfigError =>
    new DevnetConfigError(`Invalid fault "${text}": ${why}`, { option: 'faults', value: text });
  if (text.startsWith('provider:')) {
    const [kind = '', ...opts] = text.slice('provider:'.length).split(':');
    const found = PROVIDER_FAULT_KINDS.find((k) => k === kind);
    if (found === undefined)
      throw bad(`unknown provider fault kind (one of ${PROVIDER_FAULT_KINDS.join(', ')})`);
    const options = parseOptions(opts, bad);
    const fault: { -readonly [K in keyof ProviderFault]: ProviderFault[K] } = { kind: found };
    for (const [key, value] of options) {
      if (key === 'p') fault.probability = parseNumber(value, bad);
      else if (key === 'providers') fault.providers = value.split(',').filter((s) => s.length > 0);
      else if (key === 'factor') fault.factor = parseNumber(value, bad);
      else throw bad(`unknown option "${key}" (p, providers, factor)`);
    }
    validateProviderFault(fault, text);
    return fault;
  }
  const isHttp = text.startsWith('http:');
  if (!isHttp && !text.startsWith('latency:')) throw bad('expected http:, latency: or provider:');
  const at = text.indexOf('@');
  if (at < 0) throw bad('missing "@<endpoint>"');
  const head = text.slice(text.indexOf(':') + 1, at);
  const [endpointText = '', ...opts] = text.slice(at + 1).split(':');
  let status: HttpFault['status'];
  let latencyMs: number | undefined;
  if (isHttp) {
    const m = /^(\d{3})(?:\+(\d+(?:\.\d+)?)(?:ms)?)?$/.exec(head);
    if (m === null) throw bad('expected http:<status>[+<ms>ms]');
    status = FAULT_STATUSES.find((s) => s === Number(m[1]));
    if (status === undefined) throw bad(`status must be one of ${FAULT_STATUSES.join(', ')}`);
    if (m[2] !== undefined) latencyMs = Number(m[2]);
  } else {
    const m = /^(\d+(?:\.\d+)?)(?:ms)?$/.exec(head);
    if (m === null) throw bad('expected latency:<ms>');
    latencyMs = Number(m[1]);
  }
  let count: FaultCount = 'always';
  for (const [key, value] of parseOptions(opts, bad)) {
    if (key === 'times') count = { times: parseNumber(value, bad) };
    else if (key === 'p') count = { probability: parseNumber(value, bad) };
    else throw bad(`unknown option "${key}" (times, p)`);
  }
  const endpoint = normaliseEndpoint(endpointText.trim(), bad);
  const fault: HttpFault = {
    kind: 'http',
    endpoint,
    count,
    ...(status === undefined ? {} : { status }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
  };
  validateHttpFault(fault, text);
  return fault;
}

function parseOptions(opts: string[], bad: (why: string) => Error): [string, string][] {
  return opts.map((opt) => {
    const eq = opt.indexOf('=');
    if (eq <= 0) throw bad(`option "${opt}" is not key=value`);
    return [opt.slice(0, eq).trim(), opt.slice(eq + 1).trim()];
  });
}

function parseNumber(value: string, bad: (why: string) => Error): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw bad(`"${value}" is not a number`);
  return n;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', '*'];

/** `GET /a/b`, `GET/a/b` or `/a/b` → `GET /a/b` / `* /a/b`. */
function normaliseEndpoint(text: string, bad: (why: string) => Error): string {
  const m = /^([A-Za-z]+|\*)?\s*(\/.*)$/.exec(text);
  if (m === null) throw bad('endpoint must be "[METHOD ]/path"');
  const method = (m[1] ?? '*').toUpperCase();
  if (!METHODS.includes(method)) throw bad(`unknown method "${method}"`);
  return `${method} ${m[2]!}`;
}

function compileEndpoint(endpoint: string): { method: string; path: RegExp } {
  const m = /^(\S+)\s+(\/\S*)$/.exec(endpoint.trim());
  if (m === null) {
    throw new DevnetConfigError(`Invalid fault endpoint "${endpoint}": expected "METHOD /path-glob"`, {
      option: 'faults',
      value: endpoint,
    });
  }
  return { method: m[1]!.toUpperCase(), path: globToRegExp(m[2]!) };
}

/** `*` = one path segment (or part of one), `**` = anything, including `/`. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}/?$`);
}

function validateHttpFault(fault: HttpFault, text = fault.endpoint): void {
  const bad = (why: string): DevnetConfigError =>
    new DevnetConfigError(`Invalid HTTP fault "${text}": ${why}`, { option: 'faults', value: text });
  if (fault.status !== undefined && !FAULT_STATUSES.includes(fault.status)) throw bad('unsupported status');
  if (fault.latencyMs !== undefined && !(fault.latencyMs >= 0)) throw bad('latency must be >= 0');
  if (fault.status === undefined && fault.latencyMs === undefined) throw bad('needs a status or a latency');
  const count = fault.count;
  if (typeof count === 'object' && 'times' in count && !(Number.isInteger(count.times) && count.times >= 1)) {
    throw bad('times must be an integer >= 1');
  }
  if (
    typeof count === 'object' &&
    'probability' in count &&
    !(count.probability >= 0 && count.probability <= 1)
  ) {
    throw bad('p must be in [0, 1]');
  }
  compileEndpoint(fault.endpoint);
}

function validateProviderFault(fault: ProviderFault, text: string = fault.kind): void {
  const bad = (why: string): DevnetConfigError =>
    new DevnetConfigError(`Invalid provider fault "${text}": ${why}`, { option: 'faults', value: text });
  if (!PROVIDER_FAULT_KINDS.includes(fault.kind)) throw bad('unknown kind');
  if (fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
    throw bad('p must be in [0, 1]');
  }
  if (fault.factor !== undefined && !(fault.factor > 0)) throw bad('factor must be > 0');
}
