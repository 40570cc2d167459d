/**
 * Reading a response body from its bytes. A large JSON array (a `collectOffers` batch of 100
 * offers is about 175 kB) is decoded and parsed in pieces of whole elements, so no string of
 * the whole body is made: a string past V8's regular object size (128 KiB) is allocated on its
 * own pages, which costs more than parsing it (about 1 ms for 175 kB where pages come from the
 * host lazily). Anything else is decoded and parsed whole, as `response.text()` + `JSON.parse`.
 */
import { type ReadBody, readBody } from './httpErrors.js';

/** Bodies up to this many bytes are decoded whole; larger arrays are parsed in pieces of about this size. */
export const JSON_PIECE_BYTES = 64 * 1024;

const decoder = new TextDecoder();

const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * The body of a response: empty, JSON, or plain text, exactly as `readBody(utf8 text)` reads it.
 *
 * @param bytes the body as received (a piece's two delimiting bytes are changed while it is
 *   decoded and restored at once; the caller's bytes end as they came)
 */
export function readBodyBytes(bytes: Uint8Array): ReadBody {
  if (bytes.length > JSON_PIECE_BYTES) {
    const array = parseArrayInPieces(bytes, JSON_PIECE_BYTES);
    if (array !== undefined) return { empty: false, isJson: true, value: array };
  }
  return readBody(decoder.decode(bytes));
}

/**
 * Parses the elements in `bytes[from, to)` as an array into `out`; false when they are not
 * valid. `bytes[from - 1]` and `bytes[to]` (the `[` or commas around them) are made `[` and `]`
 * while the piece is decoded, so its text is one flat string (no concatenation to copy), and
 * restored at once.
 */
function parsePiece(bytes: Uint8Array, from: number, to: number, out: unknown[]): boolean {
  let first = from;
  while (first < to && isSpace(bytes[first])) first++;
  if (first === to) return false; // `[1,,2]` or `[1,]`
  const before = bytes[from - 1]!;
  const after = bytes[to]!;
  bytes[from - 1] = OPEN_ARRAY;
  bytes[to] = CLOSE_ARRAY;
  const text = decoder.decode(bytes.subarray(from - 1, to + 1));
  bytes[from - 1] = before;
  bytes[to] = after;
  let elements: unknown;
  try {
    elements = JSON.parse(text) as unknown;
  } catch {
    return false;
  }
  if (!Array.isArray(elements)) return false;
  for (const element of elements) out.push(element);
  return true;
}

/**
 * The first comma at or after `from` (and before `to`) between a `}` and a `{` (or a `]` and a
 * `[`): where one element of an array of objects (or arrays) ends and the next begins, unless
 * it is inside a string (which the parse of the piece then tells). -1 when there is none.
 */
function nextCut(bytes: Uint8Array, from: number, to: number): number {
  for (let i = bytes.indexOf(COMMA, from); i >= 0 && i < to; i = bytes.indexOf(COMMA, i + 1)) {
    let before = i - 1;
    while (isSpace(bytes[before])) before--;
    let after = i + 1;
    while (isSpace(bytes[after])) after++;
    const closing = bytes[before];
    const opening = bytes[after];
    if (
      (closing === CLOSE_OBJECT && opening === OPEN_OBJECT) ||
      (closing === CLOSE_ARRAY && opening === OPEN_ARRAY)
    )
      return i;
  }
  return -1;
}

/** How many cuts of one piece are tried before the body is read whole. */
const CUT_TRIES = 3;

/**
 * A top-level JSON array parsed in pieces of whole elements of about `pieceBytes`: each piece
 * ends at a comma between elements (see {@link nextCut}) past `pieceBytes` and is parsed as
 * `[` + its text + `]`. No scan of the text is needed: a piece cut inside a string or a nested
 * value does not parse (a string or a bracket is left open; the next cut is tried), and a piece
 * that starts right after a top-level comma and parses ends at one; so the pieces all parse
 * exactly when the whole is a valid array, and give its elements. `undefined` when they do not
 * (not an array, malformed, or strings full of `},{`): the caller then reads the body whole,
 * which reports it as it always did.
 */
export function parseArrayInPieces(bytes: Uint8Array, pieceBytes: number): unknown[] | undefined {
  let open = 0;
  while (isSpace(bytes[open])) open++;
  let close = bytes.length - 1;
  while (close > open && isSpace(bytes[close])) close--;
  if (bytes[open] !== OPEN_ARRAY || bytes[close] !== CLOSE_ARRAY || close <= open) return undefined;

  const out: unknown[] = [];
  let start = open + 1; // where the current piece's elements begin: after `[` or a top-level comma
  while (close - start > pieceBytes) {
    let cut = nextCut(bytes, start + pieceBytes, close);
    for (let tries = 1; cut >= 0 && !parsePiece(bytes, start, cut, out); tries++) {
      if (tries === CUT_TRIES) return undefined;
      cut = nextCut(bytes, cut + 1, close);
    }
    if (cut < 0) break;
    start = cut + 1;
  }
  return parsePiece(bytes, start, close, out) ? out : undefined;
}
