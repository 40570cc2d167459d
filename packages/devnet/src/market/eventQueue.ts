/**
 * A demand's `collectOffers` queue. An event is serialised when a poll takes it (so that the
 * demand's publication, which queues an offer for every matching provider, stays short), the
 * properties of an offer once for every demand it is offered to (kept as bytes); the answer is
 * written piece by piece into one buffer. Serialising 100 offers of 1.7 kB through one 175 kB string (a fresh
 * large object: pages mapped and faulted in each time) was most of devnet's CPU per offer.
 */
import type { MarketEventDto, Properties } from 'golem-rx';

/** The JSON of a properties object as UTF-8 bytes, made once per object (offers are immutable). */
const propertiesJson = new WeakMap<Readonly<Properties>, Buffer>();

function jsonOfProperties(properties: Readonly<Properties>): Buffer {
  let json = propertiesJson.get(properties);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(properties), 'utf8');
    propertiesJson.set(properties, json);
  }
  return json;
}

/** `{"a":1}` → `{"a":1,` (an object's text, open for more members). */
function opened(json: string): string {
  return json === '{}' ? '{' : `${json.slice(0, -1)},`;
}

/**
 * A market event's JSON in pieces: text, and the bytes of an offer's properties (the bulk of
 * it, serialised once and copied as they are). Byte for byte `JSON.stringify(event)` when its
 * members are in the order devnet builds them (a `ProposalEvent`'s proposal last, its
 * properties first).
 */
export function marketEventParts(event: MarketEventDto): readonly (string | Buffer)[] {
  if (event.eventType !== 'ProposalEvent') return [JSON.stringify(event)];
  const { proposal, ...head } = event;
  const { properties, ...rest } = proposal;
  const tail = JSON.stringify(rest);
  return [
    `${opened(JSON.stringify(head))}"proposal":{"properties":`,
    jsonOfProperties(properties),
    `${tail === '{}' ? '}' : `,${tail.slice(1)}`}}`,
  ];
}

/** A market event's JSON text (see {@link marketEventParts}). */
export function marketEventJson(event: MarketEventDto): string {
  return marketEventParts(event)
    .map((part) => (typeof part === 'string' ? part : part.toString('utf8')))
    .join('');
}

const byteLength = (part: string | Buffer): number =>
  typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : part.length;

const COMMA = ',';

/** A FIFO of market events, serialised when taken; taking from its front is O(taken). */
export class MarketEventQueue {
  private items: (MarketEventDto | undefined)[] = [];
  private head = 0;

  /** How many events wait. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Queues an event. */
  push(event: MarketEventDto): void {
    this.items.push(event);
  }

  /**
   * Removes up to `max` events from the front; their JSON array as bytes, written piece by
   * piece into one buffer (never one string of the whole answer).
   */
  take(max: number): Buffer {
    const end = Math.min(this.items.length, this.head + Math.max(0, max));
    const parts: (string | Buffer)[] = [];
    let bytes = 2 + Math.max(0, end - this.head - 1); // [ ] and the commas
    for (let i = this.head; i < end; i++) {
      for (const part of marketEventParts(this.items[i]!)) {
        parts.push(part);
        bytes += byteLength(part);
      }
      if (i < end - 1) parts.push(COMMA);
      this.items[i] = undefined;
    }
    this.head = end;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    const out = Buffer.allocUnsafe(bytes);
    out[0] = 0x5b; // [
    let at = 1;
    for (const part of parts)
      at += typeof part === 'string' ? out.write(part, at, 'utf8') : part.copy(out, at);
    out[at] = 0x5d; // ]
    return out;
  }

  /** Drops every event. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
