/**
 * Uuid-shaped identifiers in yagna's formats, drawn from the devnet's seeded PRNG.
 */
import { randomHex } from '../../random.js';

/** A uuid v4 with dashes (allocation, debit-note, invoice, payment ids). */
export function newUuid(random: () => number): string {
  const h = randomHex(random, 32).split('');
  h[12] = '4';
  h[16] = (8 + Math.floor(random() * 4)).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A uuid v4 "simple" (32 hex, no dashes): activity and batch ids. */
export function newSimpleUuid(random: () => number): string {
  return newUuid(random).replaceAll('-', '');
}
