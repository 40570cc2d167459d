import { describe, expectTypeOf, it } from 'vitest';
import type { Allocation, DebitNote, Invoice, PayableDocument } from '../../src/index.js';

describe('the resource layer implements the acceptPayments port', () => {
  it('DebitNote and Invoice are PayableDocuments paid from an Allocation', () => {
    expectTypeOf<DebitNote>().toMatchTypeOf<PayableDocument<Allocation>>();
    expectTypeOf<Invoice>().toMatchTypeOf<PayableDocument<Allocation>>();
  });
});
