import { ownEnumerableKeys } from './deepEqual.js';

/** Options of {@link formatValue}. */
export interface FormatValueOptions {
  /** How many levels of nesting to show; deeper objects print as `[Object]`. @default 6 */
  readonly depth?: number;
  /** Lines longer than this break, one member a line; `Infinity` keeps one line. @default 120 */
  readonly breakLength?: number;
}

/** The symbol a value's own `util.inspect` hook lives under (decimal.js has one), honoured here. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A readable rendering of any value, in the style of Node's `util.inspect` but without Node:
 * strings quoted, `-0`, `1n`, `Map(1) { 'k' => 1 }`, `Set(1) { 1 }`, `[Error: message]`,
 * `ClassName { a: 1 }`, `[Circular]`, and a value's own `nodejs.util.inspect.custom` hook
 * (a `Decimal` shows as its decimal string).
 *
 * @example
 * ```ts
 * formatValue({ frame: 4, notification: { kind: 'N', value: 'a' } });
 * // "{ frame: 4, notification: { kind: 'N', value: 'a' } }"
 * ```
 */
export function formatValue(value: unknown, options: FormatValueOptions = {}): string {
  const settings: Settings = { breakLength: options.breakLength ?? 120 };
  return format(value, options.depth ?? 6, 0, [], settings);
}

interface Settings {
  readonly breakLength: number;
}

/** An object as a prefix (e.g. `Map(2)`), its members, and its brackets. */
interface Parts {
  readonly prefix: string;
  readonly members: string[];
  readonly brackets: readonly [string, string];
  /** Shown without brackets when there are no members (an error's `[Name: message]`). */
  readonly bare?: boolean;
}

function format(value: unknown, depth: number, indent: number, path: object[], settings: Settings): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return formatFunction(value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (path.includes(value)) return '[Circular]';
  const custom = (value as { readonly [INSPECT]?: unknown })[INSPECT];
  if (typeof custom === 'function') {
    const shown: unknown = (custom as (...args: unknown[]) => unknown).call(
      value,
      depth,
      { depth, breakLength: settings.breakLength, stylize: (text: string) => text },
      (inner: unknown) => formatValue(inner, { depth, breakLength: settings.breakLength }),
    );
    return typeof shown === 'string' ? shown : format(shown, depth, indent, path, settings);
  }
  const leaf = formatLeaf(value);
  if (leaf !== undefined) return leaf;
  if (depth < 0) return `[${Array.isArray(value) ? 'Array' : constructorName(value) || 'Object'}]`;
  const child = (v: unknown): string => format(v, depth - 1, indent + 2, [...path, value], settings);
  return layout(parts(value, child), indent, settings);
}

/** Objects shown without their members (dates, regular expressions, boxed primitives). */
function formatLeaf(value: object): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof String) return `[String: ${quote(value.valueOf())}]`;
  if (value instanceof Number) return `[Number: ${format(value.valueOf(), 0, 0, [], { breakLength: 0 })}]`;
  if (value instanceof Boolean) return `[Boolean: ${String(value.valueOf())}]`;
  return undefined;
}

function parts(value: object, child: (v: unknown) => string): Parts {
  const record = value as Record<string | symbol, unknown>;
  const keyed = (keys: readonly (string | symbol)[]): string[] =>
    keys.map((key) => `${formatKey(key)}: ${child(record[key])}`);
  if (Array.isArray(value)) {
    const items = Array.from({ length: value.length }, (_, i) =>
      i in value ? child(value[i]) : '<empty item>',
    );
    const extra = ownEnumerableKeys(value).filter((k) => typeof k === 'symbol' || !/^\d+$/.test(k));
    const name = constructorName(value);
    return {
      prefix: name === 'Array' ? '' : `${name}(${value.length})`,
      members: [...items, ...keyed(extra)],
      brackets: ['[', ']'],
    };
  }
  if (value instanceof Map) {
    const members = [...value].map(([k, v]) => `${child(k)} => ${child(v)}`);
    return {
      prefix: `Map(${value.size})`,
      members: [...members, ...keyed(ownEnumerableKeys(value))],
      brackets: ['{', '}'],
    };
  }
  if (value instanceof Set) {
    const members = [...value].map((v) => child(v));
    return {
      prefix: `Set(${value.size})`,
      members: [...members, ...keyed(ownEnumerableKeys(value))],
      brackets: ['{', '}'],
    };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number | bigint>, (n) => child(n));
    return { prefix: `${constructorName(value)}(${items.length})`, members: items, brackets: ['[', ']'] };
  }
  const members = keyed(ownEnumerableKeys(value));
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    const withCause =
      cause === undefined || members.some((m) => m.startsWith('cause:'))
        ? members
        : [...members, `[cause]: ${child(cause)}`];
    const head = `[${value.message === '' ? value.name : `${value.name}: ${value.message}`}]`;
    return { prefix: head, members: withCause, brackets: ['{', '}'], bare: true };
  }
  const proto: unknown = Object.getPrototypeOf(value);
  const name = proto === null ? '[Object: null prototype]' : constructorName(value);
  return { prefix: name === 'Object' ? '' : name, members, brackets: ['{', '}'] };
}

/** One line if it fits and no member spans lines, else one member a line, indented. */
function layout(
  { prefix, members, brackets: [open, close], bare }: Parts,
  indent: number,
  settings: Settings,
): string {
  const head = prefix === '' ? '' : `${prefix} `;
  if (members.length === 0) return bare === true ? prefix : `${head}${open}${close}`;
  const oneLine = `${head}${open} ${members.join(', ')} ${close}`;
  if (!oneLine.includes('\n') && indent + oneLine.length <= settings.breakLength) return oneLine;
  const pad = ' '.repeat(indent + 2);
  return `${head}${open}\n${members.map((m) => `${pad}${m}`).join(',\n')}\n${' '.repeat(indent)}${close}`;
}

function formatFunction(fn: object): string {
  const name = (fn as { name?: unknown }).name;
  const named = typeof name === 'string' && name !== '' ? name : undefined;
  if (Function.prototype.toString.call(fn).startsWith('class')) return `[class ${named ?? '(anonymous)'}]`;
  return named === undefined ? '[Function (anonymous)]' : `[Function: ${named}]`;
}

function constructorName(value: object): string {
  const ctor = (value as { constructor?: unknown }).constructor;
  const name = typeof ctor === 'function' ? (ctor as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : '';
}

function formatKey(key: string | symbol): string {
  if (typeof key === 'symbol') return `[${key.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key);
}

function quote(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}
