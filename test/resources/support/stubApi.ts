/**
 * A stub of the yagna client for marble tests: each group is a partial object of functions that
 * return `cold()` Observables; a function nobody stubbed throws, so a test sees an unexpected call.
 */
import type { NodeApi } from '../../../src/resources/NodeApi.js';

/** Loosely typed stubs: marble Observables (`ColdObservable<string>` for `'-|'`) stand in for any answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose<T> = { [K in keyof T]?: (...args: any[]) => unknown };
type Groups = { [K in keyof NodeApi]?: Loose<NodeApi[K]> };

function group<T extends object>(name: string, given: object | undefined): T {
  return new Proxy((given ?? {}) as T, {
    get(target, key) {
      const value = (target as Record<string | symbol, unknown>)[key];
      if (value !== undefined || typeof key === 'symbol') return value;
      return () => {
        throw new Error(`stubApi: ${name}.${key} was called but not stubbed`);
      };
    },
  });
}

/** A {@link NodeApi} made of the given functions. */
export function stubApi(groups: Groups): NodeApi {
  return {
    market: group('market', groups.market),
    activity: group('activity', groups.activity),
    payment: group('payment', groups.payment),
    identity: group('identity', groups.identity),
  };
}

/** Returns the next of `answers` at each call, recording the arguments. */
export function sequence<A extends unknown[], R>(answers: R[]): ((...args: A) => R) & { calls: A[] } {
  const calls: A[] = [];
  const queue = [...answers];
  const fn = (...args: A): R => {
    calls.push(args);
    const next = queue.shift();
    if (next === undefined) throw new Error('sequence: more calls than scripted answers');
    return next;
  };
  return Object.assign(fn, { calls });
}
