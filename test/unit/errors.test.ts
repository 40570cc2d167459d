import { describe, expect, it } from 'vitest';
import { GolemRxError, isGolemRxError } from '../../src/errors/GolemRxError.js';

describe('GolemRxError', () => {
  it('is recognised by its guard, across realms by its marker', () => {
    expect(isGolemRxError(new GolemRxError('x'))).toBe(true);
    const foreign = Object.assign(new Error('y'), { name: 'GolemRxError', isGolemRx: true });
    expect(isGolemRxError(foreign)).toBe(true);
    expect(isGolemRxError(new Error('z'))).toBe(false);
  });
});
