import { Decimal } from 'decimal.js';

/** A resource as the logger writes it: kind and id, never its node, parent, children or data. */
function isResourceLike(value: object): value is { readonly id: string; readonly kind: string } {
  const { id, kind } = value as { id?: unknown; kind?: unknown };
  return typeof id === 'string' && typeof kind === 'string';
}

function convert(key: string, value: object): unknown {
  if (Decimal.isDecimal(value)) return value.toString();
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    return cause === undefined
      ? { name: value.name, message: value.message }
      : { name: value.name, message: value.message, cause };
  }
  if (key !== '' && isResourceLike(value)) return { kind: value.kind, id: value.id };
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v]));
  if (value instanceof Set) return [...value];
  return value;
}

/**
 * A `JSON.stringify` replacer that never throws and never leaks more than it should:
 * - `Decimal` → its decimal string; `bigint` → its decimal string;
 * - `Error` → `{ name, message, cause? }` (no stack, no own fields);
 * - a nested resource (an object with string `id` and `kind`) → `{ kind, id }`;
 * - `Map` → object, `Set` → array;
 * - a cycle → `"[Circular]"` (repeated but acyclic references are written in full).
 *
 * Use a fresh replacer per `JSON.stringify` call: it tracks the path being written.
 */
export function safeJsonReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  // the objects being written, from the root down: each as found and as written
  const path: { readonly found: object; readonly written: unknown }[] = [];
  return function replace(this: unknown, key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    while (path.length > 0 && path[path.length - 1]?.written !== this) path.pop();
    if (path.some((entry) => entry.found === value || entry.written === value)) return '[Circular]';
    const written = convert(key, value);
    if (typeof written === 'object' && written !== null) path.push({ found: value, written });
    return written;
  };
}

/**
 * `JSON.stringify` with {@link safeJsonReplacer}: safe for events, errors and resources.
 * @returns the JSON text (`undefined` becomes `null`)
 */
export function safeJsonStringify(value: unknown): string {
  return JSON.stringify(value, safeJsonReplacer()) ?? 'null';
}
