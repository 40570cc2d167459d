import type { Msg } from '@nats-io/nats-core';
import { timer, type SchedulerLike } from 'rxjs';
import type { GolemRxError } from '../../../errors/GolemRxError.js';
import { ConnectionRejectedError } from '../errors/ConnectionRejectedError.js';
import { FrameError } from '../errors/FrameError.js';
import { RemoteDisconnectedError } from '../errors/RemoteDisconnectedError.js';
import { encodeFrame, wholeFrame } from '../wire/codec.js';
import { PROTOCOL_VERSION, type Frame, type HelloFrame } from '../wire/frames.js';
import { NatsPeer, type NatsPeerHost } from './NatsPeer.js';
import type { NatsWire } from './NatsWire.js';
import {
  compareSessions,
  decodePresence,
  helloSession,
  type Presence,
  type PresenceMessage,
} from './presence.js';
import type { BusSubjects } from './subjects.js';

/** What {@link NatsRemotes} needs from its endpoint. */
export interface NatsRemotesHost {
  readonly localName: string;
  /** This endpoint's instance (to tell another endpoint under its name). */
  readonly inst: string;
  readonly subjects: BusSubjects;
  readonly wire: NatsWire;
  readonly peerHost: NatsPeerHost;
  readonly scheduler: SchedulerLike;
  readonly heartbeatMs: number;
  /** How long a handshake, or an answer to "are you there?", may take. */
  readonly handshakeTimeout: number;
  /** A new remote, handshaking: it takes part in subscription acknowledgements from now on. */
  attached(peer: NatsPeer): void;
  /** A NATS request (the question "are you there?"). */
  request(subject: string, timeoutMs: number): Promise<Msg>;
  /** Masks the connection's secrets in a text. */
  mask(text: string): string;
  reportError(error: GolemRxError): void;
}

/** A request that failed because nobody subscribes to its subject (NATS answered "no responders"). */
export function isNoResponders(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ('isNoResponders' in err && typeof err.isNoResponders === 'function') {
    return (err.isNoResponders as () => unknown).call(err) === true;
  }
  return 'name' in err && err.name === 'NoRespondersError';
}

/** The message of an error, or the thing itself as text. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The remote endpoints an endpoint on NATS knows, by name: what their presence and their frames
 * mean for the handshake and their sessions, and who is asked whether it is still there.
 *
 * - A `here` from an unknown endpoint, or from a new session of a known one (it restarted or
 *   reconnected: the old one is closed), starts a handshake: our `hello` goes out.
 * - A `hello` is answered with ours unless it is itself an answer; it opens the remote (or
 *   updates its subscriptions).
 * - A frame from an endpoint we do not know (we lost track of it, it did not) is dropped and
 *   reported, and our `hello` asks it to shake hands again.
 */
export class NatsRemotes {
  private readonly remotes = new Map<string, NatsPeer>();
  /** Remotes that refused our hello, with the session that did: not retried until it changes. */
  private readonly refused = new Map<string, string | undefined>();
  /** Other instances seen using this endpoint's name (each reported once). */
  private readonly rivals = new Set<string>();

  constructor(private readonly host: NatsRemotesHost) {}

  /** Every remote, handshaking or open. */
  all(): readonly NatsPeer[] {
    return [...this.remotes.values()];
  }

  /** A message on `<prefix>.p.<from>`. */
  onPresence(from: string, message: PresenceMessage): void {
    if (from === this.host.localName) {
      if (message.inst !== this.host.inst) this.rival(message.inst);
      return;
    }
    const peer = this.remotes.get(from);
    const order = compareSessions(peer?.session, message);
    if (message.k === 'bye') {
      if (peer !== undefined && order === 'same') peer.fail(undefined);
      return;
    }
    if (peer !== undefined && order !== 'newer') {
      if (order === 'same') {
        peer.session ??= { inst: message.inst, ep: message.ep };
        peer.touch(message.hb);
      }
      return;
    }
    peer?.fail(this.replaced(from));
    if (this.refused.has(from) && this.refused.get(from) === message.inst) return;
    this.open(from, message, false);
  }

  /** A frame from `from`. */
  onFrame(from: string, frame: Frame): void {
    if (frame.k === 'hello') {
      this.onHello(from, frame);
      return;
    }
    const peer = this.remotes.get(from);
    if (peer !== undefined) {
      peer.touch();
      peer.onFrame(frame);
      return;
    }
    if (frame.k === 'reject') {
      this.host.reportError(new ConnectionRejectedError({ endpoint: from, reason: frame.reason }));
      return;
    }
    this.host.reportError(
      new FrameError(
        { kind: 'protocol', direction: 'in', peer: from },
        `${frame.k} from an endpoint not connected; asking it for its hello again`,
      ),
    );
    this.open(from, undefined, false);
  }

  /** A remote closed: forget it (the endpoint does the rest). */
  closed(peer: NatsPeer, cause: GolemRxError | undefined): void {
    if (this.remotes.get(peer.name) === peer) this.remotes.delete(peer.name);
    if (cause instanceof ConnectionRejectedError) this.refused.set(peer.name, peer.session?.inst);
  }

  /**
   * Judge the remotes' silence (at a heartbeat): a handshake that took too long is dropped (it is
   * retried at the remote's next heartbeat); an open remote silent for three of its heartbeat
   * intervals is asked whether it is still there.
   */
  sweep(now: number): void {
    for (const peer of [...this.remotes.values()]) {
      const silent = peer.silentFor(now, this.host.heartbeatMs, this.host.handshakeTimeout);
      if (silent === undefined) continue;
      if (peer.isOpen) this.probe(peer, silent);
      else peer.fail(undefined);
    }
  }

  /** Close every remote (the NATS connection dropped). */
  dropAll(cause: unknown): void {
    for (const peer of [...this.remotes.values()]) {
      peer.fail(new RemoteDisconnectedError({ endpoint: peer.name }, { cause }));
    }
  }

  private onHello(from: string, hello: HelloFrame): void {
    const session = helloSession(hello);
    if (typeof session === 'string' || hello.name !== from) {
      this.host.reportError(
        new FrameError(
          { kind: 'invalid-frame', direction: 'in', peer: from },
          typeof session === 'string' ? session : `a hello from ${from} naming ${hello.name}`,
        ),
      );
      return;
    }
    if (hello.v !== PROTOCOL_VERSION) {
      this.sendReject(from, `protocol version ${hello.v} is not ${PROTOCOL_VERSION}`);
      return;
    }
    if (from === this.host.localName) {
      this.rival(session.inst);
      return;
    }
    let peer = this.remotes.get(from);
    if (peer !== undefined) {
      const order = compareSessions(peer.session, session);
      if (order === 'stale') return;
      if (order === 'newer') {
        peer.fail(this.replaced(from));
        peer = undefined;
      }
    }
    this.refused.delete(from);
    if (peer === undefined) peer = this.open(from, session, true);
    else if (!session.ans) peer.sendHello(true);
    peer.touch();
    peer.applyHello(hello, session);
  }

  private open(name: string, session: Presence | undefined, answer: boolean): NatsPeer {
    const { subjects, localName, peerHost } = this.host;
    const peer = new NatsPeer(name, subjects.message(name, localName), peerHost, session, answer);
    this.remotes.set(name, peer);
    this.host.attached(peer);
    return peer;
  }

  /**
   * Ask a silent remote whether it is still there: a request on its name's subject. The NATS
   * server answers "no responders" at once when the remote's connection is gone (the process
   * died): it is disconnected then. An answer from its session keeps it (it was only busy); no
   * answer within `handshakeTimeout`, or one from another session, disconnects it.
   */
  private probe(peer: NatsPeer, silent: number): void {
    if (peer.probing) return;
    peer.probing = true;
    const timeoutMs = this.host.handshakeTimeout;
    const gone = (reason: string): void => {
      peer.probing = false;
      peer.fail(new RemoteDisconnectedError({ endpoint: peer.name }, { cause: new Error(reason) }));
    };
    const timeout = timer(timeoutMs, this.host.scheduler).subscribe({
      next: () => gone(`${peer.name} was silent for ${silent} ms and did not answer for ${timeoutMs} ms`),
    });
    this.host.request(this.host.subjects.claim(peer.name), timeoutMs + this.host.heartbeatMs).then(
      (reply) => {
        timeout.unsubscribe();
        if (!peer.probing) return;
        peer.probing = false;
        const answer = decodePresence(reply.data);
        if (typeof answer !== 'string' && compareSessions(peer.session, answer) === 'same') peer.touch();
        else peer.fail(this.replaced(peer.name));
      },
      (err: unknown) => {
        timeout.unsubscribe();
        if (!peer.probing) return;
        gone(
          isNoResponders(err)
            ? `${peer.name} left NATS`
            : `${peer.name} did not answer on NATS: ${this.host.mask(messageOf(err))}`,
        );
      },
    );
  }

  private sendReject(to: string, reason: string): void {
    void this.host.wire.send(
      this.host.subjects.message(to, this.host.localName),
      wholeFrame(encodeFrame({ k: 'reject', reason }, Number.MAX_SAFE_INTEGER)),
    );
  }

  private replaced(name: string): RemoteDisconnectedError {
    return new RemoteDisconnectedError(
      { endpoint: name },
      { cause: new Error(`${name} reconnected to NATS or restarted`) },
    );
  }

  private rival(inst: string): void {
    if (this.rivals.has(inst)) return;
    this.rivals.add(inst);
    this.host.reportError(
      new ConnectionRejectedError({
        endpoint: this.host.localName,
        reason: `another endpoint on the NATS bus ${this.host.subjects.prefix} uses this name`,
      }),
    );
  }
}
