/**
 * SHA3-256 (FIPS 202) in plain TypeScript, for where `node:crypto` is not (a browser: WebCrypto
 * has no SHA-3). gftp's `UploadFinished` carries the SHA3-256 of the uploaded file, in hex.
 * Keccak-f[1600] on 32-bit halves of its 64-bit lanes.
 *
 * @module
 */

/** An incremental hash: `update` with the bytes in order, then `digest` (hex) once. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  /** The digest as lower-case hex. */
  digest(): string;
}

const RATE = 136; // bytes: 1600 - 2·256 bits

// Round constants, [low, high] 32-bit halves.
const RC = new Uint32Array([
  0x00000001, 0x00000000, 0x00008082, 0x00000000, 0x0000808a, 0x80000000, 0x80008000, 0x80000000, 0x0000808b,
  0x00000000, 0x80000001, 0x00000000, 0x80008081, 0x80000000, 0x00008009, 0x80000000, 0x0000008a, 0x00000000,
  0x00000088, 0x00000000, 0x80008009, 0x00000000, 0x8000000a, 0x00000000, 0x8000808b, 0x00000000, 0x0000008b,
  0x80000000, 0x00008089, 0x80000000, 0x00008003, 0x80000000, 0x00008002, 0x80000000, 0x00000080, 0x80000000,
  0x0000800a, 0x00000000, 0x8000000a, 0x80000000, 0x80008081, 0x80000000, 0x00008080, 0x80000000, 0x80000001,
  0x00000000, 0x80008008, 0x80000000,
]);
// Rotation of lane x + 5y.
const ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
// Where rho-pi moves lane x + 5y: to y + 5·((2x + 3y) mod 5).
const PI = ROT.map((_, i) => {
  const x = i % 5;
  const y = Math.floor(i / 5);
  return y + 5 * ((2 * x + 3 * y) % 5);
});

function keccakF(s: Uint32Array, b: Uint32Array, c: Uint32Array): void {
  for (let round = 0; round < 24; round++) {
    // theta
    for (let x = 0; x < 5; x++) {
      c[2 * x] = s[2 * x]! ^ s[2 * x + 10]! ^ s[2 * x + 20]! ^ s[2 * x + 30]! ^ s[2 * x + 40]!;
      c[2 * x + 1] = s[2 * x + 1]! ^ s[2 * x + 11]! ^ s[2 * x + 21]! ^ s[2 * x + 31]! ^ s[2 * x + 41]!;
    }
    for (let x = 0; x < 5; x++) {
      const l1 = c[2 * ((x + 1) % 5)]!;
      const h1 = c[2 * ((x + 1) % 5) + 1]!;
      const dl = c[2 * ((x + 4) % 5)]! ^ ((l1 << 1) | (h1 >>> 31));
      const dh = c[2 * ((x + 4) % 5) + 1]! ^ ((h1 << 1) | (l1 >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] = s[2 * (x + y)]! ^ dl;
        s[2 * (x + y) + 1] = s[2 * (x + y) + 1]! ^ dh;
      }
    }
    // rho and pi
    for (let i = 0; i < 25; i++) {
      const lo = s[2 * i]!;
      const hi = s[2 * i + 1]!;
      const n = ROT[i]!;
      const to = 2 * PI[i]!;
      if (n === 0) {
        b[to] = lo;
        b[to + 1] = hi;
      } else if (n < 32) {
        b[to] = (lo << n) | (hi >>> (32 - n));
        b[to + 1] = (hi << n) | (lo >>> (32 - n));
      } else if (n === 32) {
        b[to] = hi;
        b[to + 1] = lo;
      } else {
        const m = n - 32;
        b[to] = (hi << m) | (lo >>> (32 - m));
        b[to + 1] = (lo << m) | (hi >>> (32 - m));
      }
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const i = 2 * (x + y);
        const i1 = 2 * (((x + 1) % 5) + y);
        const i2 = 2 * (((x + 2) % 5) + y);
        s[i] = b[i]! ^ (~b[i1]! & b[i2]!);
        s[i + 1] = b[i + 1]! ^ (~b[i1 + 1]! & b[i2 + 1]!);
      }
    }
    // iota
    s[0] = s[0]! ^ RC[2 * round]!;
    s[1] = s[1]! ^ RC[2 * round + 1]!;
  }
}

/** A new SHA3-256 {@link Hasher}. */
export function createSha3(): Hasher {
  const state = new Uint32Array(50);
  const scratchB = new Uint32Array(50);
  const scratchC = new Uint32Array(10);
  const block = new Uint8Array(RATE);
  let filled = 0;
  let done = false;

  const absorb = (): void => {
    for (let i = 0; i < RATE / 4; i++) {
      const word =
        block[4 * i]! | (block[4 * i + 1]! << 8) | (block[4 * i + 2]! << 16) | (block[4 * i + 3]! << 24);
      state[i] = state[i]! ^ word;
    }
    keccakF(state, scratchB, scratchC);
    filled = 0;
  };

  return {
    update(bytes) {
      if (done) throw new Error('sha3: update after digest');
      let at = 0;
      while (at < bytes.length) {
        const take = Math.min(RATE - filled, bytes.length - at);
        block.set(bytes.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === RATE) absorb();
      }
    },
    digest() {
      if (done) throw new Error('sha3: digest twice');
      done = true;
      block.fill(0, filled);
      block[filled] = block[filled]! ^ 0x06;
      block[RATE - 1] = block[RATE - 1]! ^ 0x80;
      absorb();
      let hex = '';
      for (let i = 0; i < 8; i++) {
        const word = state[i]!;
        for (let k = 0; k < 4; k++) hex += ((word >>> (8 * k)) & 0xff).toString(16).padStart(2, '0');
      }
      return hex;
    },
  };
}
