/**
 * A web page that rents a computer on the Golem Network with golem-rx, talking to yagna from the
 * browser (yagna must allow the page's origin: `YAGNA_API_ALLOW_ORIGIN`, or devnet's `allowOrigin`).
 *
 * The node's streams and the page's own are all Observables, merged into one: a click on Start
 * rents (demand → score → negotiate → sign → activity) and runs a command; proposals, agreements
 * and spend update live; a click on Stop ends it, and `node.close()` terminates the agreement,
 * pays the invoice and releases the allocation.
 *
 * The settings may come in the URL's fragment (`#api=…&key=…&registry=…`), which never leaves
 * the browser; the app key is read from the form and never logged.
 */
import {
  type Observable,
  catchError,
  concat,
  concatMap,
  defer,
  exhaustMap,
  filter,
  fromEvent,
  map,
  merge,
  of,
  take,
  takeUntil,
} from 'rxjs';
import {
  GolemNode,
  createActivity,
  createAgreement,
  leastExpensiveLinearPayu,
  negotiate,
  score,
  vmPackage,
} from 'golem-rx';

/** What the page shows, as one stream. */
type Update =
  | { readonly kind: 'status'; readonly text: string }
  | { readonly kind: 'proposal' }
  | { readonly kind: 'agreement'; readonly agreementId: string; readonly event: string }
  | { readonly kind: 'spent'; readonly glm: string }
  | { readonly kind: 'output'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string };

const element = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const apiUrl = element<HTMLInputElement>('api-url');
const appKey = element<HTMLInputElement>('app-key');
const startButton = element<HTMLButtonElement>('start');
const stopButton = element<HTMLButtonElement>('stop');

// settings from the fragment, then out of the address bar
const fragment = new URLSearchParams(location.hash.slice(1));
apiUrl.value = fragment.get('api') ?? 'http://127.0.0.1:7465';
appKey.value = fragment.get('key') ?? '';
// the image registry (devnet serves one at its own URL)
const registryUrl = fragment.get('registry') ?? 'https://registry.golem.network';
history.replaceState(null, '', location.pathname);

/** One rental, from the click on Start to the node closed after the click on Stop. */
function rental(url: string, key: string): Observable<Update> {
  const node = new GolemNode({ apiUrl: url, appKey: key, pollTimeoutSec: 2 });

  // the node's streams, live
  const proposals$ = node.proposals$.pipe(map((): Update => ({ kind: 'proposal' })));
  const agreements$ = node.agreementEvents$.pipe(
    map(({ agreement, event }): Update => ({
      kind: 'agreement',
      agreementId: agreement.id,
      event: event.eventType,
    })),
  );
  const spent$ = node.payments$.pipe(
    filter((payment) => payment.kind === 'accepted'),
    map((): Update => ({ kind: 'spent', glm: node.spent.toFixed() })),
  );

  // rent one machine and run a command on it
  const run$ = defer(async () => {
    await node.start();
    const allocation = await node.createAllocation({ amount: 1 });
    const payload = await vmPackage({ imageTag: 'golem/alpine:latest', registryUrl });
    return { allocation, payload };
  }).pipe(
    concatMap(({ allocation, payload }) =>
      node
        .demand$({ payload, allocations: [allocation] })
        .pipe(
          score(leastExpensiveLinearPayu({ expectedTimeSecs: 60 })),
          negotiate(4),
          createAgreement(),
          createActivity(),
          take(1),
        ),
    ),
    concatMap((activity) => activity.run('echo hello from the browser')),
    map(({ stdout }): Update => ({ kind: 'output', text: stdout.trim() })),
  );

  // closing terminates the agreement, pays its invoice and releases the allocation
  const close$ = concat(
    of<Update>({ kind: 'status', text: 'closing' }),
    defer(() => node.close()).pipe(
      map((report): Update => ({ kind: 'status', text: report.ok ? 'closed' : 'closed with leftovers' })),
    ),
  );

  return merge(
    spent$, // until the node has closed: the invoice is paid while it closes
    concat(
      merge(proposals$, agreements$, run$).pipe(
        takeUntil(fromEvent(stopButton, 'click')),
        catchError((error: unknown) => of<Update>({ kind: 'error', message: messageOf(error) })),
      ),
      close$,
    ),
  );
}

// the page's clicks, merged with the node's streams: a click on Start starts a rental (exhaustMap:
// clicks while one runs are ignored; switchMap would drop a rental without closing its node)
fromEvent(startButton, 'click')
  .pipe(
    exhaustMap(() =>
      concat(of<Update>({ kind: 'status', text: 'renting' }), rental(apiUrl.value, appKey.value)),
    ),
  )
  .subscribe({ next: show, error: (error: unknown) => show({ kind: 'error', message: messageOf(error) }) });

let proposals = 0;
let approved = 0;

/** Puts an update on the page. */
function show(update: Update): void {
  switch (update.kind) {
    case 'status':
      if (update.text === 'renting') clear();
      element('status').textContent = update.text;
      startButton.disabled = !update.text.startsWith('closed');
      stopButton.disabled = update.text !== 'renting' && update.text !== 'running';
      break;
    case 'proposal':
      element('proposals').textContent = String(++proposals);
      break;
    case 'agreement': {
      if (update.event === 'AgreementApprovedEvent') element('agreements').textContent = String(++approved);
      const item = document.createElement('li');
      item.textContent = `${update.agreementId.slice(0, 12)}… ${update.event.replace(/^Agreement|Event$/g, '')}`;
      element('agreement-events').append(item);
      break;
    }
    case 'spent':
      element('spent').textContent = update.glm;
      break;
    case 'output':
      element('output').textContent = update.text;
      show({ kind: 'status', text: 'running' });
      break;
    case 'error':
      element('error').textContent = update.message;
      break;
  }
}

/** Empties what a previous rental showed. */
function clear(): void {
  proposals = approved = 0;
  for (const id of ['proposals', 'agreements', 'spent']) element(id).textContent = '0';
  for (const id of ['agreement-events', 'output', 'error']) element(id).replaceChildren();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
