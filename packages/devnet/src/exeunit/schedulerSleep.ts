import type { SchedulerLike } from 'rxjs';

/**
 * Resolves after `ms` of `scheduler` time (virtual under a TestScheduler/VirtualTimeScheduler);
 * rejects with `signal.reason` when `signal` aborts first. The scheduled action is cancelled on
 * abort and the abort listener removed on completion, so nothing leaks.
 */
export function schedulerSleep(scheduler: SchedulerLike, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      action.unsubscribe();
      reject(signal.reason as Error);
    };
    const action = scheduler.schedule(
      () => {
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    if (!settled) signal.addEventListener('abort', onAbort, { once: true });
  });
}
