import { DevnetError, errorGuard } from './DevnetError.js';

/**
 * Thrown inside devnet route handlers to answer a yagna-style error: the server's error
 * handler turns it into `status` with the JSON body `{"message": message}` (yagna's
 * `ErrorMessage`). Never reaches library users.
 */
export class DevnetHttpError extends DevnetError {
  override readonly name = 'DevnetHttpError' as const;
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Is `err` a {@link DevnetHttpError} (also across realms)? */
export const isDevnetHttpError = errorGuard(DevnetHttpError, 'DevnetHttpError');
