/**
 * src/ports: the floor every layer stands on (as RxJS's `types.ts` is). They import nothing of
 * golem-rx (only types of rxjs and decimal.js), and every layer may import them.
 *
 * The ports of the spending operators: the few methods `score`, `negotiate`, `createAgreement`
 * and `createActivity` call on the resources they handle. The resource layer (`src/resources`)
 * implements them over the yagna client; marble tests stub them with `cold()` Observables
 * (see `fakeOfferProposal` & co. in `golem-rx/testing`).
 *
 * The contract of every method:
 * - it returns a **cold** Observable: nothing is sent before it is subscribed, and every
 *   subscription sends the request again;
 * - unsubscribing while a reading call or a long-poll is in flight (e.g. `waitForApproval`)
 *   aborts it (an `AbortSignal` on the HTTP call);
 * - unsubscribing never aborts a call that creates something to be released later
 *   (`createAgreement`, `createActivity`): on the real resources the POST runs to its end apart
 *   from the subscriber, and what it created is released in the background (the agreement
 *   cancelled, the activity destroyed), because aborting a POST that may already have reached
 *   yagna could leave an agreement or an activity behind that nobody knows of. The subscriber
 *   receives nothing more either way. `respond` is not such a call: unsubscribing stops its wait
 *   for the provider's answer and aborts its counter-proposal POST if still in flight (a
 *   counter-proposal commits to nothing);
 * - a call that produces something emits it once and completes; a call that produces nothing
 *   (`Observable<void>`) completes on success (it may emit `undefined` first);
 * - failures are errors on that Observable, typed where the contract names a class.
 *
 * The payment ports (`./payments.ts`): what `acceptPayments` needs of a debit note or an invoice
 * (`PayableDocument`, implemented by `src/resources`' `DebitNote` and `Invoice`) and what it reports
 * (`PaymentEvent`), which the node's payer routes.
 *
 * The storage port (`./storage.ts`): where `transfer` commands get their requestor-side URLs
 * (`TransferStorage`), implemented by `golem-rx/storage`'s `StorageServer` and `GsbStorage`.
 *
 * @module
 */
export type { AgreementOf, DraftOf, DraftProposal, OfferProposal } from './negotiation.js';
export type { ActivityOf, ActivityPort, AgreementPort, DeployArgs } from './rental.js';
export type { IncomingTransfer, TransferCallOptions, TransferStorage, TransferUrl } from './storage.js';
export type {
  OverPriceReason,
  PayableAgreementTerms,
  PayableDocument,
  PaymentEvent,
  PaymentRejection,
  RejectionOutcome,
  SkipReason,
} from './payments.js';
