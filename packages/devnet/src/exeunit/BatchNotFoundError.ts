import { DevnetError, errorGuard } from '../errors/DevnetError.js';

/** No batch with this id was ever executed on the activity. Devnet answers 404 for it. */
export class BatchNotFoundError extends DevnetError {
  override readonly name = 'BatchNotFoundError' as const;
  readonly batchId: string;

  constructor(batchId: string) {
    super(`Batch [${batchId}] not found.`);
    this.batchId = batchId;
  }
}

/** Is `err` a {@link BatchNotFoundError} (also across realms)? */
export const isBatchNotFoundError = errorGuard(BatchNotFoundError, 'BatchNotFoundError');
