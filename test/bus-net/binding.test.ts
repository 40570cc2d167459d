// Where an event came from is kept beside it, never in its payload: in a private field, or aside
// for an object made without BaseEvent's constructor.
import { describe, expect, it } from 'vitest';
import { BaseEvent, bindEvent } from '../../src/bus/net/BaseEvent.js';
import { encodeEventFrame } from '../../src/bus/net/wire/codec.js';

class Ping extends BaseEvent {
  constructor(readonly n: number) {
    super();
  }
}

describe('event binding', () => {
  it('binds constructed events without touching their payload', () => {
    const ping = new Ping(1);
    expect(ping.origin).toBeUndefined();
    bindEvent(ping, 'e1', 'e1:7');
    expect([ping.origin, ping.requestId]).toEqual(['e1', 'e1:7']);
    expect(ping.broadcastConfig().filterEndpoint).toBe('e1');
    expect(Object.keys(ping)).toEqual(['n']);
    expect(ping).toEqual(new Ping(1));
    const json = encodeEventFrame('x.Ping', ping, {}, 1024).parts[0]!;
    expect(Buffer.from(json).toString()).toContain('"p":{"n":1}}');
  });

  it('binds an event made without its constructor, and a frozen one', () => {
    const made = Object.create(Ping.prototype) as Ping;
    bindEvent(made, 'e2', undefined);
    expect(made.origin).toBe('e2');
    const frozen = new Ping(2);
    Object.freeze(frozen);
    bindEvent(frozen, 'e3', 'e3:1');
    expect([frozen.origin, frozen.requestId]).toEqual(['e3', 'e3:1']);
  });
});
