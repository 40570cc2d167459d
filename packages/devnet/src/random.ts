/**
 * Seeded randomness and id formats of devnet. Every random choice devnet makes (provider
 * hardware, prices, ids, think times, probabilistic faults) draws from one seeded PRNG, so a
 * seed reproduces the same market.
 */

/**
 * mulberry32: a tiny, fast 32-bit PRNG with a good enough distribution for simulations.
 *
 * @param seed any integer; the same seed yields the same sequence.
 * @returns a function returning floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` lowercase hex digits drawn from `random` (32 bits per draw, one flat string). */
export function randomHex(random: () => number, length: number): string {
  const bytes = Buffer.allocUnsafe(Math.ceil(length / 8) * 4);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32BE(Math.floor(random() * 4294967296), i);
  return bytes.toString('hex', 0, Math.ceil(length / 2)).slice(0, length);
}

/** An integer in [min, max], inclusive. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick() needs a non-empty list');
  return item;
}

/** A NodeId: `0x` + 40 lowercase hex. */
export function newNodeId(random: () => number): string {
  return `0x${randomHex(random, 40)}`;
}

/** A market subscription id (demand, offer, scan): 32 hex + `-` + 64 hex. */
export function newSubscriptionId(random: () => number): string {
  return `${randomHex(random, 32)}-${randomHex(random, 64)}`;
}

/** A proposal or agreement id: 64 hex (a sha3-256 in yagna). */
export function newHashId(random: () => number): string {
  return randomHex(random, 64);
}

const SUBSCRIPTION_ID_RE = /^[0-9a-f]{32}-[0-9a-f]{64}$/i;
const HASH_ID_RE = /^[0-9a-f]{64}$/i;

/** Is `id` shaped like a market subscription id? (yagna answers 400 otherwise.) */
export function isSubscriptionId(id: string): boolean {
  return SUBSCRIPTION_ID_RE.test(id);
}

/** Is `id` shaped like a proposal or agreement id? (yagna answers 400 otherwise.) */
export function isHashId(id: string): boolean {
  return HASH_ID_RE.test(id);
}
