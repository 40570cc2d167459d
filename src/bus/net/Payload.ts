import { FrameError } from './errors/FrameError.js';
import { isRecord } from '../../rx/isRecord.js';

function invalid(field: string, detail: string): FrameError {
  return new FrameError({ kind: 'invalid-payload', direction: 'in', field }, `${field}: ${detail}`);
}

/**
 * A read-only view of a received event payload for decoders: each accessor checks the field's
 * JSON type and throws a `FrameError` (`invalid-payload`) when it is missing or wrong, which drops
 * the frame. Only own properties are read, so `__proto__` or `constructor` keys in the JSON are
 * inert data.
 *
 * @example
 * ```ts
 * registerEvent('shop.Order', Order, (p) => new Order(p.string('id'), p.number('qty'), p.optionalString('note')));
 * ```
 */
export class Payload {
  private constructor(
    private readonly raw: Readonly<Record<string, unknown>>,
    private readonly path: string,
    private readonly attachments: readonly Uint8Array[],
  ) {}

  /**
   * Wrap a parsed JSON value and the frame's binary attachments; throws `FrameError` if the
   * value is not an object.
   */
  static from(value: unknown, path = 'payload', attachments: readonly Uint8Array[] = []): Payload {
    if (!isRecord(value)) throw invalid(path, 'expected an object');
    return new Payload(value, path, attachments);
  }

  /** Is the field present (and not `null`)? */
  has(key: string): boolean {
    return Object.hasOwn(this.raw, key) && this.raw[key] !== null && this.raw[key] !== undefined;
  }

  /** The raw JSON value of a field (plain data: string, number, boolean, null, array, object). */
  value(key: string): unknown {
    return Object.hasOwn(this.raw, key) ? this.raw[key] : undefined;
  }

  /** A string field. */
  string(key: string): string {
    const v = this.value(key);
    if (typeof v !== 'string') throw invalid(this.at(key), 'expected a string');
    return v;
  }

  /** A string field that may be absent or `null`. */
  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /** A finite number field. */
  number(key: string): number {
    const v = this.value(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(this.at(key), 'expected a finite number');
    return v;
  }

  /** A finite number field that may be absent or `null`. */
  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key) : undefined;
  }

  /** An integer field. */
  integer(key: string): number {
    const v = this.number(key);
    if (!Number.isSafeInteger(v)) throw invalid(this.at(key), 'expected an integer');
    return v;
  }

  /** A boolean field. */
  boolean(key: string): boolean {
    const v = this.value(key);
    if (typeof v !== 'boolean') throw invalid(this.at(key), 'expected a boolean');
    return v;
  }

  /** A boolean field that may be absent or `null`. */
  optionalBoolean(key: string): boolean | undefined {
    return this.has(key) ? this.boolean(key) : undefined;
  }

  /** An array field, its items unchecked JSON values. */
  array(key: string): readonly unknown[] {
    const v = this.value(key);
    if (!Array.isArray(v)) throw invalid(this.at(key), 'expected an array');
    return v;
  }

  /** An array of strings. */
  stringArray(key: string): string[] {
    return this.array(key).map((item, i) => {
      if (typeof item !== 'string') throw invalid(`${this.at(key)}[${i}]`, 'expected a string');
      return item;
    });
  }

  /** A byte-array field (sent as a `Uint8Array` or `Buffer`, carried raw beside the JSON). */
  bytes(key: string): Uint8Array {
    const v = this.value(key);
    const index = isRecord(v) && Object.hasOwn(v, '$b') ? v.$b : undefined;
    const bytes = typeof index === 'number' ? this.attachments[index] : undefined;
    if (bytes === undefined) throw invalid(this.at(key), 'expected bytes');
    return bytes;
  }

  /** A byte-array field that may be absent or `null`. */
  optionalBytes(key: string): Uint8Array | undefined {
    return this.has(key) ? this.bytes(key) : undefined;
  }

  /** A nested object field, as a `Payload`. */
  object(key: string): Payload {
    return Payload.from(this.value(key), this.at(key), this.attachments);
  }

  private at(key: string): string {
    return `${this.path}.${key}`;
  }
}
