import type { JobMessageError } from './errors/JobMessageError.js';
import type { JobTaskFailedError } from './errors/JobTaskFailedError.js';

/**
 * A task's outcome as the submitter of its job learns it ({@link submitJob}): exactly one per
 * task, whichever process ran it and however often it was handed out. Narrow on `type`.
 */
export type JobOutcome<R> =
  | {
      /** The task is done: its result, read by the submitter's `decode`. */
      readonly type: 'taskFinished';
      readonly taskId: string;
      readonly result: R;
      /** The worker process that ran it (its `worker` name). */
      readonly worker: string;
      /** The provider it ran on, and the engine's attempt there (from 1). */
      readonly providerId: string;
      readonly attempt: number;
      /** The delivery that finished it: 1 the first time it was handed out. */
      readonly deliveries: number;
    }
  | {
      /**
       * The task failed for good: in a worker ({@link JobTaskFailedError}), or its result was
       * refused by the submitter's `decode` ({@link JobMessageError}).
       */
      readonly type: 'taskFailed';
      readonly taskId: string;
      readonly error: JobTaskFailedError | JobMessageError;
      readonly worker: string;
      readonly deliveries: number;
    };
