/**
 * Where a job lives on JetStream: its two streams, their subjects and the workers' consumer, all
 * derived from the job's name. One job is one pair of streams, deleted together when it ends.
 *
 * @module
 */

/** A job name: letters, digits, `-` and `_`, 1 to 64 of them (it is part of stream names). */
const JOB_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Longest task id, in characters. */
export const MAX_TASK_ID_LENGTH = 256;

/** The JetStream names of one job. @internal */
export interface JobNames {
  readonly job: string;
  /** The work-queue stream of the tasks (retention: work queue, file storage). */
  readonly tasksStream: string;
  /** The subject tasks are published to. */
  readonly tasksSubject: string;
  /** The durable pull consumer every worker process shares (each task to one process at a time). */
  readonly consumer: string;
  /** The stream of results and of the seal (retention: limits, file storage). */
  readonly resultsStream: string;
  /** All results: `golemrx.job.<job>.result.>`. */
  readonly resultsFilter: string;
  /** The seal, published once every task is: it carries the number of tasks. */
  readonly sealedSubject: string;
  /** The subject of one task's results (by its id's token). */
  resultSubject(token: string): string;
}

/**
 * Checks a job name.
 * @throws {RangeError} when it is not 1–64 letters, digits, `-` or `_`
 */
export function checkJobName(job: unknown): asserts job is string {
  if (typeof job !== 'string' || !JOB_NAME.test(job))
    throw new RangeError(
      `job: 1 to 64 letters, digits, "-" or "_" (it names the job's streams), got ${JSON.stringify(job)}`,
    );
}

/** The names of `job` (a checked name). @internal */
export function jobNames(job: string): JobNames {
  const prefix = `golemrx.job.${job}`;
  return {
    job,
    tasksStream: `GOLEMRX_JOB_${job}_TASKS`,
    tasksSubject: `${prefix}.tasks`,
    consumer: 'workers',
    resultsStream: `GOLEMRX_JOB_${job}_RESULTS`,
    resultsFilter: `${prefix}.result.>`,
    sealedSubject: `${prefix}.sealed`,
    resultSubject: (token) => `${prefix}.result.${token}`,
  };
}

/** A task id as one subject token (base64url of its UTF-8: any id, and only valid characters). @internal */
export function taskToken(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}
