// One table over every error class an entry exports (golem-rx and its subpaths, @golem-rx/devnet,
// @golem-rx/cli): each is constructed with representative context and must have its literal class
// name, be a GolemRxError (devnet's: a DevnetError, with the same cross-realm marker), answer its
// own `isXxxError` guard and `isGolemRxError`, also for a look-alike from another realm, not answer
// another class's guard, keep its `cause`, and keep out of its message any secret given to it.
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { GolemRxError, isGolemRxError, isNodeClosedError } from 'golem-rx';
import { DevnetError } from '../../packages/devnet/src/errors/DevnetError.js';

/** A secret that must never reach a message: an `authToken` in a URL given as context. */
const SECRET = 'sk-0123456789abcdef';
const cause = new Error('the socket broke');
const ids = { agreementId: 'agr-1', providerId: 'prov-1', proposalId: 'prop-1', activityId: 'act-1' };
const promiseId = { workerName: 'requestor', oplogIdx: 7 };

type Ctor = new (...args: never[]) => Error;
type Make = (C: never) => Error;
/** Builds an instance of the class (given as `C`) with representative context and `cause`. */
const make =
  <A extends unknown[]>(...args: A): Make =>
  (C) =>
    new (C as unknown as new (...a: A) => Error)(...args);

/**
 * The representative construction of every exported error class. A class exported by an entry and
 * missing here fails the table: add its row when you add the class.
 */
const CASES: Readonly<Record<string, { make: Make; keepsCause?: false }>> = {
  // golem-rx: src/errors (cross-layer)
  GolemRxError: { make: make('something failed', { cause }) },
  AgreementNotApprovedError: { make: make({ ...ids, outcome: 'Rejected' }, { cause }) },
  EmptyResponseError: { make: make({ operation: 'respond', resourceId: 'prop-1' }, { cause }) },
  IncompleteCloseError: { make: make({ failures: 1, unsettled: 2, report: { ok: false } }, { cause }) },
  NodeClosedError: { make: make({ operation: 'createDemand' }, { cause }) },
  SimulatedFailureError: {
    make: make({ operation: 'deployAndStart', resourceId: 'act-1', detail: 'no image' }, { cause }),
  },
  BudgetExceededError: {
    make: make({ agreementId: 'agr-1', wouldSpend: new Decimal('2.5'), budget: new Decimal(2) }, { cause }),
  },
  PaymentRefusedError: {
    make: make(
      {
        documentId: 'inv-1',
        agreementId: 'agr-1',
        reason: 'price',
        limit: new Decimal(1),
        amount: new Decimal(3),
      },
      { cause },
    ),
  },
  StorageError: { make: make({ operation: 'receive', message: 'upload broke' }, { cause }) },
  // golem-rx: the client (src/api/errors)
  InvalidPricingError: {
    make: make({ property: 'golem.com.pricing.model', reason: 'not linear' }, { cause }),
  },
  YagnaError: { make: make('yagna failed', { endpoint: 'GET /me', status: 500, cause }) },
  YagnaArgumentError: { make: make('bad url', { argument: 'url', cause }) },
  YagnaBadRequestError: { make: make('bad request', { endpoint: 'POST /demands', status: 400, cause }) },
  YagnaConflictError: { make: make('conflict', { endpoint: 'POST /terminate', status: 409, cause }) },
  YagnaForbiddenError: { make: make('forbidden', { endpoint: 'GET /me', status: 403, cause }) },
  YagnaGoneError: { make: make('gone', { endpoint: 'GET /events', status: 410, cause }) },
  YagnaNetworkError: { make: make('unreachable', { code: 'ECONNREFUSED', cause }) },
  YagnaNotFoundError: { make: make('not found', { endpoint: 'GET /demands/{id}', status: 404, cause }) },
  YagnaNotImplementedError: { make: make('not implemented', { status: 501, cause }) },
  YagnaProtocolError: { make: make('not JSON', { endpoint: 'GET /me', status: 200, cause }) },
  YagnaServerError: { make: make('server error', { endpoint: 'GET /me', status: 502, cause }) },
  YagnaTimeoutError: { make: make('timed out', { endpoint: 'GET /me', timeoutMs: 5000, cause }) },
  YagnaUnauthorizedError: { make: make('unauthorized', { endpoint: 'GET /me', status: 401, cause }) },
  // golem-rx: sources, resources, operators, strategies
  MalformedTimestampError: { make: make('2024-13-45', { cause }) },
  BatchError: {
    make: make({ activityId: 'act-1', batchId: 'b-1', commandIndex: 2, message: 'exit 1' }, { cause }),
  },
  NoMatchingAccountError: {
    make: make({ network: 'holesky', driver: 'erc20', available: ['polygon/erc20'] }, { cause }),
  },
  ProposalRejectedError: { make: make({ ...ids, reason: 'too cheap', isFinal: true }, { cause }) },
  ResourceDataNotLoadedError: { make: make({ resourceType: 'Agreement', resourceId: 'agr-1' }, { cause }) },
  CounterProposalError: { make: make(ids, { cause }) },
  MissingAgreementTermsError: { make: make({ agreementId: 'agr-1', documentId: 'inv-1' }, { cause }) },
  ScoringError: { make: make(ids, { cause }) },
  ImageResolutionError: {
    make: make(
      {
        registryUrl: `https://registry.example/?authToken=${SECRET}`,
        tag: 'golem/alpine:latest',
        status: 404,
        detail: 'unknown tag',
      },
      { cause },
    ),
  },
  // golem-rx: network, rental, gsb
  NetworkError: {
    make: make({ code: 'addressTaken', networkId: 'net-1', ip: '192.168.0.2' }, 'taken', { cause }),
  },
  RentalNotMadeError: { make: make({ reason: 'demandEnded' }, { cause }) },
  RentalPoolDrainedError: { make: make({ cause }) },
  RentalStoppedError: { make: make({ agreementId: 'agr-1', operation: 'exec' }, { cause }) },
  GsbServiceError: {
    make: make({ operation: 'connect', servicesId: 's-1', closeCode: 1006 }, 'closed', { cause }),
  },
  // golem-rx/net
  TcpProxyError: {
    make: make(
      { operation: 'connect', networkId: 'net-1', ip: '192.168.0.2', port: 22, status: 502 },
      'refused',
      {
        cause,
      },
    ),
  },
  // golem-rx/engine
  BatchTimeoutError: { make: make({ activityId: 'act-1', batchId: 'b-1', timeoutMs: 1000 }, { cause }) },
  JobStoppedError: { make: make({ reason: 'budget' }, { cause }) },
  NoEligibleProviderError: { make: make({ taskId: 't-1', triedProviders: ['prov-1'] }, { cause }) },
  TaskExpiredError: { make: make({ taskId: 't-1', expires: 1000 }, { cause }) },
  TaskRejectedError: {
    make: make({ taskId: 't-1', providerId: 'prov-1', reason: 'bad output', retry: true }, { cause }),
  },
  TaskStateError: { make: make({ taskId: 't-1', state: 'done', operation: 'accept' }, { cause }) },
  TaskTimeoutError: { make: make({ taskId: 't-1', providerId: 'prov-1', timeoutMs: 1000 }, { cause }) },
  WorkContextClosedError: { make: make({ activityId: 'act-1' }, { cause }) },
  WorkerFailedError: {
    make: make({ providerId: 'prov-1', activityId: 'act-1', failure: 'threw' }, { cause }),
  },
  LocalPathError: {
    make: make({ path: '/tmp/in.txt', operation: 'sendFile', problem: 'missing' }, { cause }),
  },
  // golem-rx/bus
  BroadcastOverflowError: {
    make: make({ peer: 'b', eventType: 'Ping', policy: 'error', limit: 10 }),
    keepsCause: false,
  },
  BusConfigError: { make: make({ setting: 'socketPath' }, 'socketPath is too long', { cause }) },
  BusTimeoutError: { make: make({ endpoint: 'a', operation: 'connect', timeoutMs: 100 }, { cause }) },
  ConnectionRejectedError: { make: make({ endpoint: 'a', reason: 'duplicate name' }, { cause }) },
  EndpointClosedError: {
    make: make({ endpoint: 'a', operation: 'broadcast', state: 'closed' }),
    keepsCause: false,
  },
  FrameError: { make: make({ kind: 'garbage', direction: 'in', peer: 'b' }, 'not JSON', { cause }) },
  NoSubscribersError: { make: make({ eventType: 'Ping', target: 'b' }, { cause }) },
  RemoteDisconnectedError: { make: make({ endpoint: 'b', requestId: 'r-1' }, { cause }) },
  RequestTimeoutError: {
    make: make({ eventType: 'Ping', requestId: 'r-1', target: 'b', timeoutMs: 100 }),
    keepsCause: false,
  },
  SlowPeerError: { make: make({ peer: 'b', bufferedBytes: 1 << 20, stalledMs: 500 }), keepsCause: false },
  SubscriberError: { make: make({ endpoint: 'a', eventType: 'Ping' }, { cause }) },
  UnexpectedResponseError: {
    make: make({ requestType: 'Ping', expected: 'Pong', received: 'Ping' }),
    keepsCause: false,
  },
  UnregisteredEventError: { make: make({ className: 'Ping' }), keepsCause: false },
  // golem-rx/promises
  PromiseJournalError: {
    make: make('cannot append', { path: '/tmp/j', operation: 'append', line: 3 }, { cause }),
  },
  PromiseNotFoundError: { make: make(promiseId, 'deleted', { cause }) },
  PromisePayloadError: { make: make(promiseId, 'decode', { cause }) },
  PromiseRegistryClosedError: { make: make('requestor', { cause }) },
  PromiseConflictError: {
    make: make({ workerName: 'requestor', operation: 'completed', oplogIdx: 7, attempts: 100 }, { cause }),
  },
  PromiseKvStoreError: {
    make: make(
      'Cannot write requestor.7 to promise bucket approvals',
      {
        bucket: 'approvals',
        operation: 'append',
        key: 'requestor.7',
        servers: ['nats://***@127.0.0.1:4222'],
      },
      { cause },
    ),
  },
  // golem-rx/nats (a secret in a server URL is masked before it reaches the context)
  NatsConnectionError: {
    make: make(
      'NATS could not be reached',
      { operation: 'connect', servers: ['nats://***@127.0.0.1:4222'] },
      { cause },
    ),
  },
  // golem-rx/nats: a job on a JetStream work queue (src/jobs)
  JobInputError: {
    make: make(
      { job: 'frames', taskId: 't-1', problem: 'duplicateId', detail: 'two tasks have this id' },
      { cause },
    ),
  },
  JobMessageError: { make: make({ job: 'frames', kind: 'task', taskId: 't-1', detail: 'no id' }, { cause }) },
  JobQueueError: { make: make({ job: 'frames', operation: 'publish', detail: 'refused' }, { cause }) },
  JobTaskFailedError: {
    make: make(
      {
        job: 'frames',
        taskId: 't-1',
        remoteName: 'TaskRejectedError',
        remoteMessage: 'bad frame',
        worker: 'h/1',
      },
      { cause },
    ),
  },
  // golem-rx/web (the first failure's error is the cause)
  RunnableFailedError: { make: make([{ name: 'node', error: cause }]) },
  // @golem-rx/devnet
  DevnetConfigError: { make: make('bad faults', { option: 'faults', value: 'x' }, { cause }) },
  ExeScriptParseError: { make: make('unknown command', { commandIndex: 1, path: '[1]' }, { cause }) },
  ExeUnitStateError: { make: make('not deployed', { state: 'Initialized' }, { cause }) },
  BatchNotFoundError: { make: make('b-1'), keepsCause: false },
  TransferError: {
    make: make(
      'transfer failed',
      { from: `http://127.0.0.1/f?authToken=${SECRET}`, to: 'container:/in' },
      { cause },
    ),
  },
  VirtualFsError: { make: make('ENOENT', '/in/missing.txt'), keepsCause: false },
  ShellError: { make: make('syntax error', { status: 2, position: 4 }), keepsCause: false },
  ConstraintSyntaxError: {
    make: make('expected )', { kind: 'Expected', position: 3, input: '(&(a=1)' }, { cause }),
  },
  GsbCallError: {
    make: make('no such service', { address: '/public/gftp/x', variant: 'GetMetadata' }, { cause }),
  },
  // @golem-rx/cli
  DemoError: { make: make('the demo timed out', { reason: 'timeout' }, { cause }) },
};

/** Every entry: the library's subpaths (package.json `exports`), devnet and the CLI. */
async function entries(): Promise<[string, Record<string, unknown>][]> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const names = Object.entries(pkg.exports)
    .filter(([, target]) => typeof target !== 'string')
    .map(([subpath]) => `golem-rx${subpath.slice(1)}`);
  const loaded: [string, Record<string, unknown>][] = [];
  for (const name of [...names, '@golem-rx/devnet', '@golem-rx/cli'])
    loaded.push([name, (await import(/* @vite-ignore */ name)) as Record<string, unknown>]);
  return loaded;
}

interface Exported {
  readonly name: string;
  readonly ctor: Ctor;
  readonly guard: unknown;
  readonly entry: string;
}

/** Every error class an entry exports, once (subpaths share one copy of each class), with its guard. */
async function exportedErrors(): Promise<Exported[]> {
  const found = new Map<string, Exported>();
  for (const [entry, module] of await entries()) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== 'function' || !((value as { prototype: unknown }).prototype instanceof Error))
        continue;
      const seen = found.get(name);
      if (seen !== undefined) {
        expect(seen.ctor, `${name} of ${entry} and of ${seen.entry}`).toBe(value);
        continue;
      }
      found.set(name, { name, ctor: value as Ctor, guard: module[`is${name}`], entry });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const errors = await exportedErrors();

describe('every exported error class', () => {
  it('has a row in the table, and every row is an exported class', () => {
    expect(errors.length).toBeGreaterThan(60);
    expect(errors.map((e) => e.name).filter((name) => !(name in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((name) => !errors.some((e) => e.name === name))).toEqual([]);
  });

  describe.each(errors)('$name ($entry)', ({ name, ctor, guard }) => {
    const row = CASES[name];
    const error = row?.make(ctor as never);
    const isDevnet = error instanceof DevnetError;
    const own = guard as (err: unknown) => boolean;

    it('is an instance with the literal class name', () => {
      expect(error).toBeInstanceOf(ctor);
      expect(error?.name).toBe(name);
      expect(Object.getOwnPropertyDescriptor(error, 'name')?.value).toBe(name);
      expect(error).toBeInstanceOf(isDevnet ? DevnetError : GolemRxError);
      expect(error?.message).not.toBe('');
    });

    it('answers its own guard and isGolemRxError, also from another realm', () => {
      expect(guard, `is${name} is exported next to ${name}`).toBeTypeOf('function');
      expect(isGolemRxError(error)).toBe(true);
      expect(own(error)).toBe(true);
      const lookAlike = Object.assign(new Error('from another copy of the library'), {
        name,
        isGolemRx: true,
      });
      expect(lookAlike).not.toBeInstanceOf(ctor);
      expect(own(lookAlike)).toBe(true);
      expect(isGolemRxError(lookAlike)).toBe(true);
      const unmarked = Object.assign(new Error('not ours'), { name });
      expect(own(unmarked)).toBe(false);
    });

    it("does not answer another class's guard, nor answer its own for another class", () => {
      // a base class (GolemRxError, YagnaError) answers for its subclasses instead
      const sub = errors.find((e) => e.ctor !== ctor && e.ctor.prototype instanceof ctor);
      if (sub !== undefined) expect(own(CASES[sub.name]?.make(sub.ctor as never))).toBe(true);
      const other = name === 'NodeClosedError' ? errors.find((e) => e.name === 'BatchError')! : undefined;
      const otherGuard = (other?.guard ?? isNodeClosedError) as (err: unknown) => boolean;
      expect(otherGuard(error)).toBe(false);
      expect(own(new Error('plain'))).toBe(false);
      const another = Object.assign(new Error('ours, another class'), {
        name: 'SomeOtherError',
        isGolemRx: true,
      });
      expect(own(another)).toBe(ctor === GolemRxError);
      expect(own(undefined)).toBe(false);
      expect(own({ name, isGolemRx: true })).toBe(false);
    });

    it('keeps its cause', () => {
      if (row?.keepsCause === false) return;
      expect(error?.cause).toBe(cause);
    });

    it('keeps secrets given in its context out of its message', () => {
      expect(error?.message).not.toContain(SECRET);
      expect(String(error)).not.toContain(SECRET);
    });
  });
});
