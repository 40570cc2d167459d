/**
 * The JSON a job's messages carry (version 1). Task data and results travel as JSON values the
 * user's `encode` / `decode` functions produce and read; the envelope around them is read here,
 * field by field, and never chooses code to run.
 *
 * @module
 */
import { isRecord } from '../rx/isRecord.js';

/** A task as published by `submitJob`. @internal */
export interface TaskEnvelope {
  readonly v: 1;
  readonly id: string;
  /** The data, as `encode` made it. */
  readonly data: unknown;
  /** `Task.timeout`: ms per attempt. */
  readonly timeout?: number;
  /** `Task.expires`: ms since the epoch. */
  readonly expires?: number;
  /** How many times the job hands the task out before it fails it (`DeliveriesExhausted`). */
  readonly maxDeliveries: number;
}

/** Who reported an outcome, and on which delivery. @internal */
interface OutcomeOrigin {
  readonly v: 1;
  readonly id: string;
  /** The worker process's name. */
  readonly worker: string;
  /** The delivery the outcome came from (1 the first time the task was handed out). */
  readonly deliveries: number;
}

/** A task's outcome as a worker process publishes it. @internal */
export type ResultEnvelope =
  | (OutcomeOrigin & {
      readonly ok: true;
      readonly result: unknown;
      readonly providerId: string;
      readonly attempt: number;
    })
  | (OutcomeOrigin & {
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string };
    });

/** The seal: every task is published. @internal */
export interface SealEnvelope {
  readonly v: 1;
  readonly total: number;
}

const decoder = new TextDecoder();

/** JSON of bytes, or `undefined` when they are not JSON. */
function parse(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    // not JSON: the caller reports the message as unusable (JobMessageError)
    return undefined;
  }
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isOptionalNumber = (value: unknown): value is number | undefined =>
  value === undefined || (typeof value === 'number' && Number.isFinite(value));

/** The id of an envelope, when it has one (to name the task in an error). @internal */
export function envelopeId(bytes: Uint8Array): string | undefined {
  const value = parse(bytes);
  return isRecord(value) && typeof value.id === 'string' ? value.id : undefined;
}

/** A task envelope, or a reason why the bytes are not one. @internal */
export function readTask(bytes: Uint8Array): TaskEnvelope | string {
  const value = parse(bytes);
  if (!isRecord(value)) return 'not a JSON object';
  if (value.v !== 1) return `unknown version ${JSON.stringify(value.v)}`;
  if (typeof value.id !== 'string' || value.id.length === 0) return 'no id';
  if (!isOptionalNumber(value.timeout) || !isOptionalNumber(value.expires)) return 'bad timeout or expires';
  if (!isCount(value.maxDeliveries) || value.maxDeliveries < 1) return 'bad maxDeliveries';
  return {
    v: 1,
    id: value.id,
    data: value.data,
    timeout: value.timeout,
    expires: value.expires,
    maxDeliveries: value.maxDeliveries,
  };
}

/** A result envelope, or a reason why the bytes are not one. @internal */
export function readResult(bytes: Uint8Array): ResultEnvelope | string {
  const value = parse(bytes);
  if (!isRecord(value)) return 'not a JSON object';
  if (value.v !== 1) return `unknown version ${JSON.stringify(value.v)}`;
  const { id, worker, deliveries } = value;
  if (typeof id !== 'string' || typeof worker !== 'string' || !isCount(deliveries))
    return 'no id, worker or deliveries';
  if (value.ok === true) {
    if (typeof value.providerId !== 'string' || !isCount(value.attempt)) return 'no providerId or attempt';
    return {
      v: 1,
      id,
      worker,
      deliveries,
      ok: true,
      result: value.result,
      providerId: value.providerId,
      attempt: value.attempt,
    };
  }
  const error = value.error;
  if (
    value.ok !== false ||
    !isRecord(error) ||
    typeof error.name !== 'string' ||
    typeof error.message !== 'string'
  )
    return 'neither a result nor an error';
  return { v: 1, id, worker, deliveries, ok: false, error: { name: error.name, message: error.message } };
}

/** A seal, or a reason why the bytes are not one. @internal */
export function readSeal(bytes: Uint8Array): SealEnvelope | string {
  const value = parse(bytes);
  if (!isRecord(value) || value.v !== 1 || !isCount(value.total)) return 'not a seal';
  return { v: 1, total: value.total };
}

/** An envelope as JSON text. @throws what `JSON.stringify` throws (a cycle, a BigInt). @internal */
export function write(envelope: TaskEnvelope | ResultEnvelope | SealEnvelope): string {
  return JSON.stringify(envelope);
}
