import { Subscription, type Observable } from 'rxjs';
import type { BaseEvent, EventClass } from './BaseEvent.js';
import type { BroadcastConfig } from './BroadcastConfig.js';
import type { Endpoint } from './Endpoint.js';
import { isGolemRxError, type GolemRxError } from '../../errors/GolemRxError.js';
import { SubscriberError } from './errors/SubscriberError.js';

/**
 * The in-process bus a bridge connects, structurally: GolemNode's bus (or any Subject-backed
 * bus) fits. `events$` must re-emit the very object passed to `emit`, which is how the bridge
 * recognises what it brought in and does not send it back out.
 */
export interface BridgeSource<E> {
  readonly events$: Observable<E>;
  emit(event: E): void;
}

/** How in-process events map to registered wire events, and back. */
export interface BridgeOptions<E> {
  /** The wire event for a local event, or `undefined` to keep it in the process. */
  readonly toWire: (event: E) => BaseEvent | undefined;
  /** Bring events of these wire classes from other endpoints into the source. */
  readonly inbound?: {
    readonly types: readonly EventClass[];
    /** The local event for a wire event, or `undefined` to ignore it. */
    readonly fromWire: (event: BaseEvent) => E | undefined;
  };
  /** Routing of outgoing events. @default everywhere someone subscribes */
  readonly config?: BroadcastConfig;
  /** Where mapping failures go. @default `endpoint.reportError` (its `errors$`) */
  readonly onError?: (error: GolemRxError) => void;
}

/**
 * Bridge an in-process event bus onto an endpoint, so that other processes receive its events
 * (and, with `inbound`, so that theirs reach it). Outgoing events go through
 * `broadcastNowait`, so a burst never blocks the source: the endpoint's bounded queue and
 * overflow policy apply, and nothing is sent to peers that do not subscribe to the wire type.
 * Events the bridge itself emitted into the source, and the endpoint's own broadcasts, are
 * not echoed. Mapping errors are reported, never thrown into the source.
 *
 * @returns the bridge; unsubscribe it to stop.
 *
 * @example
 * ```ts
 * const bridge = bridgeToEndpoint(node.bus, endpoint, {
 *   toWire: (e) => (e.kind === 'AgreementSigned' ? new AgreementSignedWire(e.agreementId) : undefined),
 * });
 * // later
 * bridge.unsubscribe();
 * ```
 */
export function bridgeToEndpoint<E>(
  source: BridgeSource<E>,
  endpoint: Endpoint,
  options: BridgeOptions<E>,
): Subscription {
  const report = options.onError ?? ((error: GolemRxError) => endpoint.reportError(error));
  const fail = (eventType: string, cause: unknown): void =>
    report(
      isGolemRxError(cause) ? cause : new SubscriberError({ endpoint: endpoint.name, eventType }, { cause }),
    );
  const broughtIn = new WeakSet<object>();
  const bridge = new Subscription();

  bridge.add(
    source.events$.subscribe({
      next: (event) => {
        if (typeof event === 'object' && event !== null && broughtIn.has(event)) return;
        try {
          const wire = options.toWire(event);
          if (wire !== undefined) endpoint.broadcastNowait(wire, options.config);
        } catch (err) {
          fail('bridge.toWire', err);
        }
      },
      error: (err: unknown) => fail('bridge.source', err),
    }),
  );

  for (const type of options.inbound?.types ?? []) {
    bridge.add(
      endpoint.stream(type).subscribe({
        next: (wire) => {
          if (wire.origin === endpoint.name) return;
          try {
            const local = options.inbound!.fromWire(wire);
            if (local === undefined) return;
            if (typeof local === 'object' && local !== null) broughtIn.add(local);
            source.emit(local);
          } catch (err) {
            fail(`bridge.fromWire(${type.name})`, err);
          }
        },
        error: (err: unknown) => fail(`bridge.inbound(${type.name})`, err),
      }),
    );
  }
  return bridge;
}
