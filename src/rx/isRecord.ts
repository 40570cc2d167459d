/**
 * Is `value` a plain JSON-like object (not `null`, not an array), whose keys can be read?
 *
 * @example
 * ```ts
 * if (isRecord(parsed) && typeof parsed.index === 'number') …
 * ```
 */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
