/**
 * A rental's file transfers: a URL from the storage port, a `transfer` command on the activity,
 * and, for a download, what arrives at the URL. Every URL is closed when its transfer ends,
 * whatever the outcome (and when the subscriber leaves first).
 *
 * @module
 */
import {
  Observable,
  type SchedulerLike,
  concat,
  finalize,
  switchMap,
  concatMap,
  from,
  ignoreElements,
  throwError,
  timeout,
} from 'rxjs';
import { StorageError } from '../errors/StorageError.js';
import type { IncomingTransfer, TransferUrl } from '../ports/index.js';
import type { Activity } from '../resources/index.js';
import { fromCall } from '../rx/index.js';

/** How long a download's data may lag behind its successful transfer command, in ms. */
export const DOWNLOAD_GRACE_MS = 10_000;

/** `container:` + an absolute path on the provider. */
export function container(path: string): string {
  return `container:${path}`;
}

/**
 * Opens a URL with `open` (a storage call, given an `AbortSignal` aborted only while it is in
 * flight: {@link fromCall}), runs `use(url)`, and closes the URL when that ends or the subscriber
 * leaves. A subscriber that leaves while the URL is being opened aborts the call: the storages
 * (`StorageServer`, `GsbStorage`) reject an aborted publication and withdraw what it bound.
 */
export function withTransferUrl<U extends TransferUrl, T>(
  open: (signal: AbortSignal) => Promise<U>,
  use: (url: U) => Observable<T>,
): Observable<T> {
  return fromCall(open).pipe(switchMap((url) => use(url).pipe(finalize(() => url.close()))));
}

/** Runs one `transfer` command on `activity`: completes when it succeeded; errors with `BatchError`. */
export function transfer(activity: Activity, fromUrl: string, toUrl: string): Observable<never> {
  return activity.exec([{ transfer: { from: fromUrl, to: toUrl } }]).pipe(
    concatMap((batch) => batch.results$),
    ignoreElements(),
  );
}

/**
 * Downloads the provider's `src` to `incoming`: the transfer command, then what arrived (which the
 * storage has before the command ends; `StorageError` if it does not within {@link DOWNLOAD_GRACE_MS}).
 */
export function download<T>(
  activity: Activity,
  src: string,
  incoming: IncomingTransfer<T>,
  scheduler: SchedulerLike,
): Observable<T> {
  return concat(
    transfer(activity, container(src), incoming.url),
    from(incoming.received).pipe(
      timeout({
        first: DOWNLOAD_GRACE_MS,
        scheduler,
        with: () =>
          throwError(
            () => new StorageError({ operation: 'receive', message: `the download of ${src} never arrived` }),
          ),
      }),
    ),
  );
}
