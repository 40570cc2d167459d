import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  InMemoryPromiseStore,
  PromiseNotFoundError,
  PromisePayloadError,
  PromiseRegistry,
  PromiseRegistryClosedError,
  type PromiseId,
} from '../../../src/promises/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('awaitPromise (marbles)', () => {
  let testScheduler: TestScheduler;
  let registry: PromiseRegistry;
  let id: PromiseId;

  beforeEach(async () => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    // The in-memory store writes synchronously, so completions land inside virtual time.
    registry = new PromiseRegistry(new InMemoryPromiseStore(), { workerName: 'm', scheduler: testScheduler });
    id = await registry.createPromise();
  });

  /** Runs `fn` at virtual frame `frame` (inside `run`). */
  const at = (frame: number, fn: () => unknown) => testScheduler.schedule(() => void fn(), frame);

  it('emits the payload at the frame of the completion, then completes', () => {
    testScheduler.run(({ expectObservable }) => {
      at(3, () => registry.completePromise(id, bytes('v')));
      // prettier-ignore
      const expected = '---(v|)';
      expectObservable(registry.awaitPromise(id)).toBe(expected, { v: bytes('v') });
    });
  });

  it('gives an already completed value at once, to every subscriber', () => {
    void registry.completePromise(id, bytes('v'));
    testScheduler.run(({ expectObservable }) => {
      // prettier-ignore
      const sub1 =      '^',
            expected1 = '(v|)',
            sub2 =      '----^',
            expected2 = '----(v|)';
      expectObservable(registry.awaitPromise(id), sub1).toBe(expected1, { v: bytes('v') });
      expectObservable(registry.awaitPromise(id), sub2).toBe(expected2, { v: bytes('v') });
    });
  });

  it('a late subscriber gets the value; the first completion wins', () => {
    testScheduler.run(({ expectObservable }) => {
      at(2, () => registry.completePromise(id, bytes('a')));
      at(4, () => registry.completePromise(id, bytes('b')));
      // prettier-ignore
      const early =         '^',
            expectedEarly = '--(a|)',
            late =          '------^',
            expectedLate =  '------(a|)';
      expectObservable(registry.awaitPromise(id), early).toBe(expectedEarly, { a: bytes('a') });
      expectObservable(registry.awaitPromise(id), late).toBe(expectedLate, { a: bytes('a') });
    });
  });

  it('stops waiting on early unsubscribe, and the promise is unaffected', () => {
    testScheduler.run(({ expectObservable }) => {
      at(5, () => registry.completePromise(id, bytes('v')));
      // prettier-ignore
      const unsub =    '^--!',
            expected = '----';
      expectObservable(registry.awaitPromise(id), unsub).toBe(expected);
      expectObservable(registry.awaitPromise(id)).toBe('-----(v|)', { v: bytes('v') });
    });
  });

  it('never emits while nobody completes (needs an unsubscription marble)', () => {
    testScheduler.run(({ expectObservable }) => {
      // prettier-ignore
      const unsub =    '^-------!';
      const expected = '--------';
      expectObservable(registry.awaitPromise(id), unsub).toBe(expected);
    });
  });

  it('errors with PromiseNotFoundError for an unknown id, at subscription', () => {
    testScheduler.run(({ expectObservable }) => {
      const unknown = { workerName: 'm', oplogIdx: 99 };
      expectObservable(registry.awaitPromise(unknown)).toBe(
        '#',
        undefined,
        new PromiseNotFoundError(unknown),
      );
    });
  });

  it('errors with PromiseNotFoundError when the promise is deleted while awaited', () => {
    testScheduler.run(({ expectObservable }) => {
      at(3, () => registry.deletePromise(id));
      // prettier-ignore
      const expected = '---#';
      expectObservable(registry.awaitPromise(id)).toBe(
        expected,
        undefined,
        new PromiseNotFoundError(id, 'deleted'),
      );
    });
  });

  it('errors with PromiseRegistryClosedError when the registry closes while waiting', async () => {
    const waiting: unknown[] = [];
    registry
      .awaitPromise(id)
      .subscribe({ next: (v) => waiting.push(v), error: (e: unknown) => waiting.push(e) });
    await registry.close();
    expect(waiting).toEqual([new PromiseRegistryClosedError('m')]);
  });

  it('awaitPromiseJson decodes at the completion frame, or errors with PromisePayloadError', async () => {
    const other = await registry.createPromise();
    testScheduler.run(({ expectObservable }) => {
      at(2, () => registry.completePromiseJson(id, { ok: true }));
      at(3, () => registry.completePromise(other, bytes('{oops')));
      // prettier-ignore
      const expectedOk  = '--(j|)';
      const expectedBad = '---#';
      expectObservable(registry.awaitPromiseJson(id)).toBe(expectedOk, { j: { ok: true } });
      expectObservable(registry.awaitPromiseJson(other)).toBe(
        expectedBad,
        undefined,
        new PromisePayloadError(other, 'decode'),
      );
    });
  });
});
