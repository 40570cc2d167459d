/**
 * A tiny devnet for the activity and payment modules alone: a fastify app with the modules, a
 * stub market (approved agreements with realistic offer properties, a Subject of changes), stub
 * activities (for payment tests that drive usage by hand), a minimal fault plan and a seeded PRNG.
 * Listens on 127.0.0.1:0; tests talk to it with global fetch over real loopback HTTP.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { Subject, asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import type {
  ActivityFacade,
  AgreementView,
  DevnetContext,
  DevnetModule,
  Fault,
  FaultPlan,
  MarketFacade,
  ProviderFault,
} from '../../src/contracts.js';
import type { AgreementState, Properties } from 'golem-rx';
import { mulberry32, randomHex } from '../../src/random.js';
import { createPaymentModule } from '../../src/payment/index.js';
import { createActivityModule } from '../../src/activity/index.js';
import type { ActivityModuleOptions } from '../../src/activity/index.js';
import type { PaymentModuleOptions } from '../../src/payment/index.js';

export const REQUESTOR_ID = '0x9a3632f3c1cb2b5e6ba1d5ff0f62fc2b2eea7a41';
export const PROVIDER = { id: '0x86a269498fb5270f20bdc6fdcf6039122b0d3b23', name: 'devnet-provider-0' };
export const OTHER_PROVIDER = { id: '0x1111111111111111111111111111111111111111', name: 'devnet-provider-1' };

/** Pricing of the stub offers: 0.0001/cpu-s, 0.00005/s, 0.01 start. */
export const COEFFS = [0.0001, 0.00005, 0.01];

/** Offer properties as a ya-provider VM offer carries them (after negotiation). */
export function offerProperties(provider = PROVIDER, extra: Properties = {}): Properties {
  return {
    'golem.com.pricing.model': 'linear',
    'golem.com.pricing.model.linear.coeffs': COEFFS,
    'golem.com.usage.vector': ['golem.usage.cpu_sec', 'golem.usage.duration_sec'],
    'golem.com.scheme': 'payu',
    'golem.com.scheme.payu.debit-note.interval-sec?': 1,
    'golem.com.scheme.payu.payment-timeout-sec?': 120,
    'golem.com.payment.debit-notes.accept-timeout?': 240,
    'golem.com.payment.platform.erc20-holesky-tglm.address': provider.id,
    'golem.com.payment.protocol.version': 3,
    'golem.node.id.name': provider.name,
    'golem.node.debug.subnet': 'public',
    'golem.runtime.name': 'vm',
    'golem.runtime.version': '0.4.2',
    'golem.inf.cpu.architecture': 'x86_64',
    'golem.inf.cpu.threads': 4,
    'golem.inf.mem.gib': 8,
    'golem.inf.storage.gib': 40,
    'golem.activity.caps.transfer.protocol': ['http', 'https', 'gftp'],
    ...extra,
  };
}

/** Demand properties of a golem-js-like requestor after negotiation (no accept timeout by default). */
export function demandProperties(extra: Properties = {}): Properties {
  return {
    'golem.srv.comp.expiration': Date.now() + 30 * 60_000,
    'golem.node.debug.subnet': 'public',
    'golem.srv.caps.multi-activity': true,
    'golem.com.payment.chosen-platform': 'erc20-holesky-tglm',
    'golem.com.payment.platform.erc20-holesky-tglm.address': REQUESTOR_ID,
    'golem.com.payment.protocol.version': '3',
    'golem.com.scheme.payu.debit-note.interval-sec?': 1,
    'golem.com.scheme.payu.payment-timeout-sec?': 120,
    ...extra,
  };
}

/** A stub market: agreements set up by the test, terminations recorded. */
export class StubMarket implements MarketFacade {
  readonly agreements = new Map<string, AgreementView>();
  readonly terminations: { agreementId: string; reason: { message: string; code: string } }[] = [];
  private readonly changes = new Subject<AgreementView>();
  readonly agreementChanges$ = this.changes.asObservable();

  constructor(private readonly random: () => number) {}

  /** Adds an approved agreement (by default with PROVIDER and the realistic properties). */
  add(init: Partial<AgreementView> = {}): AgreementView {
    const provider =
      init.providerId === undefined ? PROVIDER : { id: init.providerId, name: init.providerName ?? 'x' };
    const agreement: AgreementView = {
      agreementId: randomHex(this.random, 64),
      state: 'Approved',
      requestorId: REQUESTOR_ID,
      providerId: provider.id,
      providerName: provider.name,
      demandProperties: demandProperties(),
      offerProperties: offerProperties(provider),
      approvedAt: Date.now(),
      ...init,
    };
    this.agreements.set(agreement.agreementId, agreement);
    this.changes.next(agreement);
    return agreement;
  }

  getAgreement(agreementId: string): AgreementView | undefined {
    return this.agreements.get(agreementId);
  }

  /** Moves an agreement to `state` and announces it. */
  setState(agreementId: string, state: AgreementState): void {
    const current = this.agreements.get(agreementId);
    if (current === undefined) throw new Error(`no agreement ${agreementId}`);
    const next = { ...current, state };
    this.agreements.set(agreementId, next);
    this.changes.next(next);
  }

  terminateByProvider(agreementId: string, reason: { message: string; code: string }): void {
    this.terminations.push({ agreementId, reason });
    this.setState(agreementId, 'Terminated');
  }
}

/** Stub activities for payment tests: usage counters set by hand. */
export class StubActivities implements ActivityFacade {
  private readonly byAgreement = new Map<string, string[]>();
  private readonly usage = new Map<string, number[]>();
  private readonly changes = new Subject<{ activityId: string; agreementId: string; state: string }>();
  readonly activityChanges$ = this.changes.asObservable();
  private n = 0;

  /** Creates an activity with `usage` ([cpu_sec, duration_sec]). */
  create(agreementId: string, usage: number[] = [0, 0]): string {
    const activityId = `act${String(this.n++).padStart(29, '0')}`;
    this.byAgreement.set(agreementId, [...(this.byAgreement.get(agreementId) ?? []), activityId]);
    this.usage.set(activityId, usage);
    this.changes.next({ activityId, agreementId, state: 'Initialized' });
    return activityId;
  }

  setUsage(activityId: string, usage: number[]): void {
    this.usage.set(activityId, usage);
  }

  terminate(activityId: string, agreementId: string): void {
    this.changes.next({ activityId, agreementId, state: 'Terminated' });
  }

  activitiesOf(agreementId: string): readonly string[] {
    return this.byAgreement.get(agreementId) ?? [];
  }

  usageOf(activityId: string): readonly number[] | undefined {
    return this.usage.get(activityId);
  }
}

/** A minimal fault plan: provider faults matched by id or name, chance drawn from the PRNG. */
export class StubFaults implements FaultPlan {
  private faults: Fault[] = [];

  constructor(private readonly random: () => number) {}

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  providerHas(
    kind: ProviderFault['kind'],
    provider: { id: string; name: string },
  ): ProviderFault | undefined {
    const fault = this.faults.find(
      (f): f is ProviderFault =>
        f.kind === kind &&
        (f.providers === undefined ||
          f.providers.includes(provider.id) ||
          f.providers.includes(provider.name)),
    );
    if (fault === undefined) return undefined;
    return this.random() < (fault.probability ?? 1) ? fault : undefined;
  }
}

/** A running harness. */
export interface Harness {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly ctx: DevnetContext;
  readonly market: StubMarket;
  readonly activities: ActivityFacade;
  readonly faults: StubFaults;
  readonly restart: Subject<void>;
  readonly modules: DevnetModule[];
  /**
   * Resolves once a timer of exactly `delayMs` has been scheduled on the harness's clock, e.g. the
   * timeout timer of a long-poll with `timeout=20` (20 000 ms): that poll is then really pending.
   */
  timerScheduled(delayMs: number): Promise<void>;
  /** JSON request against the harness (body sent as JSON when given). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

/** A parsed response. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** What the harness composes. */
export interface HarnessOptions {
  readonly seed?: number;
  /** Builds the activity side; default: {@link StubActivities}. */
  readonly activities?: (ctx: DevnetContext, market: StubMarket) => ActivityFacade & Partial<DevnetModule>;
  readonly payment?: PaymentModuleOptions | false;
}

function isModule(value: Partial<DevnetModule>): value is DevnetModule {
  return (
    typeof value.register === 'function' &&
    typeof value.close === 'function' &&
    typeof value.stats === 'function'
  );
}

/** Starts the harness on 127.0.0.1:0. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const random = mulberry32(options.seed ?? 42);
  const restart = new Subject<void>();
  const faults = new StubFaults(random);
  // the real clock, recording the delay of every timer scheduled on it
  const delays: number[] = [];
  const scheduler: SchedulerLike = {
    now: () => asyncScheduler.now(),
    schedule<T>(
      work: (this: SchedulerAction<T>, state?: T) => void,
      delay?: number,
      state?: T,
    ): Subscription {
      delays.push(delay ?? 0);
      return asyncScheduler.schedule(work, delay, state);
    },
  };
  const ctx: DevnetContext = {
    requestorId: REQUESTOR_ID,
    appKeyName: 'requestor',
    scheduler,
    random,
    faults,
    restart$: restart.asObservable(),
  };
  const market = new StubMarket(random);
  const activities: ActivityFacade & Partial<DevnetModule> =
    options.activities?.(ctx, market) ?? new StubActivities();
  const modules: DevnetModule[] = [];
  if (isModule(activities)) modules.push(activities);
  if (options.payment !== false)
    modules.push(createPaymentModule(ctx, market, activities, options.payment ?? {}));
  const app = Fastify({ logger: false, forceCloseConnections: true });
  for (const m of modules) await m.register(app);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    app,
    ctx,
    market,
    activities,
    faults,
    restart,
    modules,
    async timerScheduled(delayMs) {
      await eventually(() => (delays.includes(delayMs) ? true : undefined));
    },
    async call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const res = await fetch(`${address}${path}`, init);
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: res.status, body: parsed, text };
    },
    async close() {
      for (const m of modules) m.close();
      await app.close();
    },
  };
}

/** The harness with the real activity module (and the payment module unless `payment: false`). */
export function startActivityHarness(
  activity: ActivityModuleOptions = {},
  options: Omit<HarnessOptions, 'activities'> = {},
): Promise<Harness> {
  return startHarness({
    ...options,
    activities: (ctx, market) => createActivityModule(ctx, market, activity),
  });
}

/** A command list as the `text` of an exec request. */
export function script(commands: unknown[]): { text: string } {
  return { text: JSON.stringify(commands) };
}

/** `run` of `/bin/sh -c <line>` capturing both streams at the end. */
export function sh(line: string): unknown {
  return {
    run: {
      entry_point: '/bin/sh',
      args: ['-c', line],
      capture: { stdout: { atEnd: { format: 'string' } }, stderr: { atEnd: { format: 'string' } } },
    },
  };
}

/** One message of an event stream: its `event`, parsed `data`, `id`, or a comment. */
export interface SseMessage {
  readonly event?: string;
  readonly data?: unknown;
  readonly id?: string;
  readonly comment?: string;
}

/**
 * Reads an event stream over fetch until `stop(message)` says so (then closes the connection),
 * the stream ends, or it fails. Returns what was read and how it ended.
 */
export async function readSse(
  url: string,
  headers: Record<string, string>,
  stop: (message: SseMessage, all: SseMessage[]) => boolean,
): Promise<{
  messages: SseMessage[];
  status: number;
  contentType: string | null;
  ended: 'stopped' | 'eof' | 'error';
}> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  if (res.body === null) return { messages, status: res.status, contentType: null, ended: 'eof' };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done)
        return { messages, status: res.status, contentType: res.headers.get('content-type'), ended: 'eof' };
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const message: Record<string, unknown> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) message.comment = line.slice(1);
          else if (line.startsWith('event: ')) message.event = line.slice(7);
          else if (line.startsWith('data: ')) message.data = JSON.parse(line.slice(6));
          else if (line.startsWith('id: ')) message.id = line.slice(4);
        }
        messages.push(message);
        if (stop(message, messages)) {
          controller.abort();
          return {
            messages,
            status: res.status,
            contentType: res.headers.get('content-type'),
            ended: 'stopped',
          };
        }
      }
    }
  } catch {
    return { messages, status: res.status, contentType: res.headers.get('content-type'), ended: 'error' };
  }
}

/** Polls `fn` until it returns a defined value (a safety net of `timeoutMs`, never an assertion on time). */
export async function eventually<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('eventually: condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
