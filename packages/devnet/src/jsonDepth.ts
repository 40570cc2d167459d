/**
 * The nesting bound of the JSON devnet accepts. yagna parses bodies with serde_json, whose
 * recursion limit is 128 nested arrays/objects ("recursion limit exceeded"); devnet refuses the
 * same bodies, before parsing, so that no recursive walk of a parsed value (flattening demand
 * properties, validating an ExeScript) can run out of stack.
 */

/** The deepest nesting of arrays and objects accepted, as serde_json's recursion limit. */
export const MAX_JSON_DEPTH = 128;

/**
 * Where `text` first nests arrays/objects deeper than `max` levels, or `undefined` when it does
 * not. One pass, no recursion; characters inside strings (escapes included) are skipped. The
 * text need not be valid JSON: this only counts brackets outside strings.
 *
 * @example
 * jsonDepthExceededAt('[[1]]', 1); // 1
 * jsonDepthExceededAt('{"a":"[[["}', 1); // undefined
 */
export function jsonDepthExceededAt(text: string, max = MAX_JSON_DEPTH): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}
