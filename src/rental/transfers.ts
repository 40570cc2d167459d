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
  Subscription,
  concat,
  concatMap,
  from,
  ignoreElements,
  throwError,
  timeout,
} from 'rxjs';
import { StorageError } from '../errors/StorageError.js';
import type { IncomingTransfer, TransferUrl } from '../ports/index.js';
import type { Activity } from '../resources/index.js';

/** How long a download's data may lag behind its successful transfer command, in ms. */
export const DOWNLOAD_GRACE_MS = 10_000;

/** `container:` + an absolute path on the provider. */
export function container(path: string): string {
  return `container:${path}`;
}

/**
 * Opens a URL with `open` (a storage call, given an `AbortSignal` aborted only while it is in
 * flight), runs `use(url)`, and closes the URL when that ends or the subscriber leaves. A URL that
 * arrives after the subscriber left is closed at once.
 */
export function withTransferUrl<U extends TransferUrl, T>(
  open: (signal: AbortSignal) => Promise<U>,
  use: (url: U) => Observable<T>,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    const inner = new Subscription();
    let opening = true;
    let url: U | undefined;
    open(controller.signal).then(
      (opened) => {
        opening = false;
        if (subscriber.closed) {
          opened.close();
          return;
        }
        url = opened;
        inner.add(use(opened).subscribe(subscriber));
      },
      (error: unknown) => {
        opening = false;
        subscriber.error(error);
      },
    );
    return () => {
      if (opening) controller.abort();
      inner.unsubscribe();
      url?.close();
    };
  });
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
