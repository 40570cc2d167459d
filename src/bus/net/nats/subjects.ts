import { ENDPOINT_NAME_PATTERN } from '../wire/frames.js';

/** The subject prefix of a bus on NATS unless one is given: every endpoint on it shares it. */
export const DEFAULT_SUBJECT_PREFIX = 'golem-rx.bus';

/** A subject prefix: dot-separated tokens of letters, digits, `_` and `-` (no wildcards), at most 200 characters. */
export const SUBJECT_PREFIX_PATTERN = /^(?=.{1,200}$)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/**
 * An endpoint name as one subject token. Names may hold `.`, the token separator, and never hold
 * `~`: a `.` becomes `~`, so the mapping is one-to-one.
 */
export function nameToken(name: string): string {
  return name.replaceAll('.', '~');
}

/** The endpoint name a subject token stands for, or `undefined` when it is no valid name. */
export function tokenName(token: string): string | undefined {
  const name = token.replaceAll('~', '.');
  return ENDPOINT_NAME_PATTERN.test(name) ? name : undefined;
}

/**
 * The subjects of one bus on NATS, under its prefix `<p>`:
 *
 * - `<p>.m.<to>.<from>`: frames from endpoint `from` to endpoint `to` (the sender's name is the
 *   last token, never taken from the payload);
 * - `<p>.p.<name>`: the presence of `name` (announcements, heartbeats, leave);
 * - `<p>.n.<name>`: answered by the endpoint holding `name`, so that a second one is refused.
 */
export class BusSubjects {
  constructor(readonly prefix: string) {}

  /** Where frames from `from` to `to` go. */
  message(to: string, from: string): string {
    return `${this.prefix}.m.${nameToken(to)}.${nameToken(from)}`;
  }

  /** Every frame to `name`, whoever sends it. */
  inbox(name: string): string {
    return `${this.prefix}.m.${nameToken(name)}.*`;
  }

  /** Where `name` announces itself. */
  presence(name: string): string {
    return `${this.prefix}.p.${nameToken(name)}`;
  }

  /** Every endpoint's presence. */
  get allPresence(): string {
    return `${this.prefix}.p.*`;
  }

  /** Answered by the holder of `name`. */
  claim(name: string): string {
    return `${this.prefix}.n.${nameToken(name)}`;
  }

  /** The endpoint a subject of this bus is about: the addressee of a frame, the owner of a presence. */
  addressee(subject: string): string | undefined {
    const tokens = subject.slice(this.prefix.length + 1).split('.');
    return tokenName((tokens[0] === 'm' ? tokens[1] : tokens[tokens.length - 1]) ?? '');
  }

  /** The endpoint name in a subject's last token (the sender of a frame, the owner of a presence). */
  lastName(subject: string): string | undefined {
    return tokenName(subject.slice(subject.lastIndexOf('.') + 1));
  }
}
