// The two predicates of src/rx have no time in them: plain tables, next to the marble specs of the
// helpers they serve (fromCall's answers, the scorers' results, the bus's listeners).
import { NEVER, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { action } from '../src/resources/Action.js';
import { isPromiseLike } from '../src/rx/isPromiseLike.js';
import { isRecord } from '../src/rx/isRecord.js';

describe('isPromiseLike', () => {
  it.each([
    ['a Promise', Promise.resolve(1), true],
    ['a thenable object', { then: () => undefined }, true],
    ['a thenable function', Object.assign(() => undefined, { then: () => undefined }), true],
    ['an Action (an awaitable Observable)', action(NEVER), true],
    ['an Observable', of(1), false],
    ['an object whose then is not a function', { then: 1 }, false],
    ['null', null, false],
    ['undefined', undefined, false],
    ['a number', 3, false],
    ['a string', 'then', false],
  ])('%s: %s', (_, value, expected) => {
    expect(isPromiseLike(value)).toBe(expected);
  });
});

describe('isRecord', () => {
  it.each([
    ['a plain object', { a: 1 }, true],
    ['an empty object', {}, true],
    ['an object without prototype', Object.create(null) as object, true],
    ['an array', [1], false],
    ['null', null, false],
    ['undefined', undefined, false],
    ['a string', '{}', false],
    ['a number', 0, false],
  ])('%s', (_, value, expected) => {
    expect(isRecord(value)).toBe(expected);
  });
});
