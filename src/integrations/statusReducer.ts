import type { RunnableStatus } from './Runnable.js';
import {
  type Fields,
  describeError,
  field,
  isFields,
  numberField,
  resourceOf,
  stringField,
} from './statusFields.js';
import type { MarketEntry, MarketStage, StatusEvent, StatusState, TrackedResource } from './statusModel.js';
import { applyDebitNote, applyInvoice } from './statusSpend.js';

/**
 * The status model's reducer: applies one event, at time `at`, and returns the new state (the
 * same object when the event changes nothing). Pure: no clock, no I/O; `at` comes from the
 * caller (`createStatusStore` passes its scheduler's `now()`).
 *
 * What it reads (structurally, see {@link StatusEvent}):
 * - node lifecycle and source health; demands opened/closed;
 * - proposals: offers seen (an `Initial` proposal's first data), scores (`ProposalScored`),
 *   counters (`ProposalCountered`), drafts (a `Draft`'s first data), drops and failed counters
 *   (`proposalDropped`, `counterFailed`), each also moving its provider's line in `market`;
 * - agreements: created (`Proposal`), data `state`, approved (`ResourceChangePossible` with
 *   `approved: true`), failed (`agreementFailed`), closed (`Terminated` when approved, else
 *   `Cancelled`);
 * - activities: created (`New`), data `state[0]`, `Ready` once a batch on it finished, failed
 *   (`activityFailed`), closed (`Terminated`);
 * - spend: debit notes and invoices (see `StatusState.spend`);
 * - `RunnableChanged`; failures (`counterFailed`, `agreementFailed`, `activityFailed`,
 *   `cleanupFailed`, `ResourceOperationFailed`) as short messages.
 *
 * ```text
 * events:  -o-----s-----a-------c-|     o: offer from p1, s: ProposalScored(0.8), a: NewResource(Agreement), c: ResourceClosed(it)
 * market:  -O-----S-----A-------C-|     p1: offer → offer (0.8) → agreement → closed
 * ```
 *
 * @param state - the current model (start with `initialStatus()`).
 * @param event - the event.
 * @param at - when it happened, in ms since the epoch of the caller's clock.
 * @returns the next model.
 */
export function statusReducer(state: StatusState, event: StatusEvent, at: number): StatusState {
  const next = reduce(state, event, at);
  return next === state ? state : { ...next, updatedAt: at };
}

function reduce(state: StatusState, event: StatusEvent, at: number): StatusState {
  switch (event.type) {
    case 'NodeStarted':
      return nodeState(state, 'started');
    case 'NodeClosing':
      return nodeState(state, 'closing');
    case 'NodeClosed':
      return nodeState(state, 'closed');
    case 'SourceHealthChanged':
      return sourceHealth(state, event);
    case 'NewResource':
      return newResource(state, event, at);
    case 'ResourceDataChanged':
      return dataChanged(state, event, at);
    case 'ResourceChangePossible':
      return changePossible(state, event, at);
    case 'ResourceClosed':
      return closed(state, event, at);
    case 'ResourceOperationFailed':
    case 'StatusSourceFailed':
      return failure(state, at, event.type, field(event, 'error'));
    case 'RunnableChanged':
      return runnableChanged(state, field(event, 'status'));
    case 'ProposalScored':
    case 'ProposalCountered':
      return scoredOrCountered(state, event, at);
    default:
      return operatorEvent(state, event, at);
  }
}

function nodeState(state: StatusState, node: StatusState['node']): StatusState {
  return state.node === node ? state : { ...state, node };
}

function sourceHealth(state: StatusState, event: StatusEvent): StatusState {
  const source = stringField(event, 'source');
  const unreachable = stringField(field(event, 'health'), 'kind') === 'unreachable';
  if (source === undefined || state.unhealthySources.includes(source) === unreachable) return state;
  const others = state.unhealthySources.filter((s) => s !== source);
  return { ...state, unhealthySources: unreachable ? [...others, source] : others };
}

function newResource(state: StatusState, event: StatusEvent, at: number): StatusState {
  const ref = resourceOf(event);
  if (ref === undefined) return state;
  const { kind, id, resource } = ref;
  if (kind === 'Demand') {
    return { ...state, demands: { active: state.demands.active + 1, total: state.demands.total + 1 } };
  }
  if (kind === 'Agreement' && state.agreements[id] === undefined) {
    const providerId = stringField(resource, 'providerId');
    const next = track(state, 'agreements', id, { state: 'Proposal', providerId });
    return providerId === undefined ? next : moveProvider(next, providerId, 'agreement', at);
  }
  if (kind === 'Activity' && state.activities[id] === undefined) {
    const agreement = field(resource, 'agreement');
    const agreementId = stringField(agreement, 'id');
    const providerId =
      (agreementId === undefined ? undefined : state.agreements[agreementId]?.providerId) ??
      stringField(agreement, 'providerId');
    const next = track(state, 'activities', id, { state: 'New', providerId, agreementId });
    return providerId === undefined ? next : moveProvider(next, providerId, 'activity', at);
  }
  return state;
}

function dataChanged(state: StatusState, event: StatusEvent, at: number): StatusState {
  const ref = resourceOf(event);
  const data = field(event, 'newData');
  if (ref === undefined || !isFields(data)) return state;
  const first = field(event, 'oldData') === undefined;
  switch (ref.kind) {
    case 'Proposal':
      return first ? proposalData(state, data, at) : state;
    case 'Agreement': {
      const agreementState = stringField(data, 'state');
      const providerId = stringField(field(data, 'offer'), 'providerId');
      return agreementState === undefined
        ? state
        : retrack(state, 'agreements', ref.id, { state: agreementState, providerId });
    }
    case 'Activity': {
      const current = field(data, 'state');
      const name = Array.isArray(current) ? (current[0] as unknown) : undefined;
      return typeof name === 'string' ? retrack(state, 'activities', ref.id, { state: name }) : state;
    }
    case 'DebitNote':
      return applyDebitNote(state, data, at);
    case 'Invoice':
      return applyInvoice(state, data, at);
    default:
      return state;
  }
}

function proposalData(state: StatusState, data: Fields, at: number): StatusState {
  const proposalId = stringField(data, 'proposalId');
  const providerId = stringField(data, 'issuerId');
  const proposalState = stringField(data, 'state');
  if (proposalId === undefined || providerId === undefined) return state;
  const proposals = state.proposals;
  if (proposalState === 'Initial' && field(data, 'prevProposalId') === undefined) {
    return offerArrived(
      { ...state, proposals: { ...proposals, seen: proposals.seen + 1 } },
      providerId,
      proposalId,
      at,
    );
  }
  if (proposalState === 'Draft' && field(data, 'prevProposalId') !== undefined) {
    return moveProvider(
      { ...state, proposals: { ...proposals, drafts: proposals.drafts + 1 } },
      providerId,
      'draft',
      at,
    );
  }
  return state;
}

function changePossible(state: StatusState, event: StatusEvent, at: number): StatusState {
  const ref = resourceOf(event);
  if (ref?.kind !== 'Agreement' || field(ref.resource, 'approved') !== true) return state;
  const current = state.agreements[ref.id];
  if (current !== undefined && current.state !== 'Proposal' && current.state !== 'Pending') return state;
  // the provider may not have been known when the agreement was created: read it again
  const next = retrack(state, 'agreements', ref.id, {
    state: 'Approved',
    providerId: current?.providerId ?? stringField(ref.resource, 'providerId'),
  });
  const providerId = next.agreements[ref.id]?.providerId;
  return providerId === undefined ? next : moveProvider(next, providerId, 'approved', at);
}

const FINAL_AGREEMENT = new Set(['Cancelled', 'Rejected', 'Expired', 'Terminated']);

function closed(state: StatusState, event: StatusEvent, at: number): StatusState {
  const ref = resourceOf(event);
  if (ref === undefined) return state;
  switch (ref.kind) {
    case 'Demand':
      return { ...state, demands: { ...state.demands, active: Math.max(0, state.demands.active - 1) } };
    case 'Agreement': {
      const current = state.agreements[ref.id];
      if (current !== undefined && FINAL_AGREEMENT.has(current.state)) return state;
      const final = current?.state === 'Approved' ? 'Terminated' : 'Cancelled';
      const providerId = current?.providerId ?? stringField(ref.resource, 'providerId');
      const next = retrack(state, 'agreements', ref.id, { state: final, providerId });
      return providerId === undefined ? next : moveProvider(next, providerId, 'closed', at);
    }
    case 'Activity':
      return retrack(state, 'activities', ref.id, { state: 'Terminated' });
    case 'Batch': {
      const activityId = stringField(field(ref.resource, 'activity'), 'id');
      const activity = activityId === undefined ? undefined : state.activities[activityId];
      return activityId !== undefined && activity?.state === 'New'
        ? retrack(state, 'activities', activityId, { state: 'Ready' })
        : state;
    }
    default:
      return state;
  }
}

function runnableChanged(state: StatusState, status: unknown): StatusState {
  const name = stringField(status, 'name');
  if (name === undefined || stringField(status, 'state') === undefined) return state;
  return { ...state, runnables: { ...state.runnables, [name]: status as RunnableStatus } };
}

function scoredOrCountered(state: StatusState, event: StatusEvent, at: number): StatusState {
  const proposal = field(event, 'proposal');
  const proposalId = stringField(proposal, 'id');
  const providerId = stringField(proposal, 'providerId');
  const score = numberField(event, 'score');
  if (proposalId === undefined || providerId === undefined) return state;
  const counted = event.type === 'ProposalScored' ? 'scored' : 'countered';
  const proposals = { ...state.proposals, [counted]: state.proposals[counted] + 1 };
  const withScore = updateProvider({ ...state, proposals }, providerId, at, (entry) =>
    entry.proposalId === proposalId && score !== undefined ? { ...entry, score } : entry,
  );
  return counted === 'countered' ? moveProvider(withScore, providerId, 'countered', at) : withScore;
}

/** The operators' `OperatorEvent`s. */
function operatorEvent(state: StatusState, event: StatusEvent, at: number): StatusState {
  const error = field(event, 'error');
  switch (event.type) {
    case 'proposalDropped': {
      const providerId = stringField(field(event, 'proposal'), 'providerId');
      const next = { ...state, proposals: { ...state.proposals, dropped: state.proposals.dropped + 1 } };
      return providerId === undefined ? next : moveProvider(next, providerId, 'dropped', at);
    }
    case 'counterFailed': {
      const providerId = stringField(field(event, 'proposal'), 'providerId');
      const proposals = { ...state.proposals, counterFailed: state.proposals.counterFailed + 1 };
      const next = failure({ ...state, proposals }, at, event.type, error, providerId);
      return providerId === undefined ? next : moveProvider(next, providerId, 'rejected', at);
    }
    case 'draftDropped': {
      const providerId = stringField(field(event, 'draft'), 'providerId');
      return providerId === undefined ? state : moveProvider(state, providerId, 'dropped', at);
    }
    case 'agreementFailed': {
      const providerId = stringField(field(event, 'draft'), 'providerId');
      const agreementId = stringField(field(event, 'agreement'), 'id');
      let next = failure(state, at, event.type, error, providerId);
      if (agreementId !== undefined)
        next = retrack(next, 'agreements', agreementId, { state: 'Failed', providerId });
      return providerId === undefined ? next : moveProvider(next, providerId, 'failed', at);
    }
    case 'activityFailed': {
      const providerId = stringField(field(event, 'agreement'), 'providerId');
      const activityId = stringField(field(event, 'activity'), 'id');
      const next = failure(state, at, event.type, error, providerId);
      return activityId === undefined ? next : retrack(next, 'activities', activityId, { state: 'Failed' });
    }
    case 'cleanupFailed':
      return failure(state, at, `${event.type} (${stringField(event, 'action') ?? '?'})`, error);
    default:
      return state;
  }
}

function failure(
  state: StatusState,
  at: number,
  type: string,
  error: unknown,
  providerId?: string,
): StatusState {
  const entry = {
    at,
    type,
    message: describeError(error),
    ...(providerId === undefined ? {} : { providerId }),
  };
  return { ...state, failures: [...state.failures, entry].slice(-state.limits.failures) };
}

function track(
  state: StatusState,
  key: 'agreements' | 'activities',
  id: string,
  resource: TrackedResource,
): StatusState {
  const clean = Object.fromEntries(
    Object.entries(resource).filter(([, v]) => v !== undefined),
  ) as TrackedResource;
  return { ...state, [key]: { ...state[key], [id]: clean } };
}

/** Updates a tracked resource (creating it), keeping the fields `change` leaves undefined. */
function retrack(
  state: StatusState,
  key: 'agreements' | 'activities',
  id: string,
  change: Partial<TrackedResource>,
): StatusState {
  const current = state[key][id] ?? { state: 'unknown' };
  const merged = { ...current };
  for (const [k, v] of Object.entries(change)) if (v !== undefined) Object.assign(merged, { [k]: v });
  return track(state, key, id, merged);
}

function offerArrived(state: StatusState, providerId: string, proposalId: string, at: number): StatusState {
  const existing = state.market.find((e) => e.providerId === providerId);
  const busy =
    existing !== undefined && RANK[existing.stage] >= RANK.countered && RANK[existing.stage] <= RANK.activity;
  const entry: MarketEntry = busy
    ? { ...existing, proposalId }
    : { providerId, proposalId, stage: 'offer', arrivedAt: at, updatedAt: at };
  const others = state.market.filter((e) => e.providerId !== providerId);
  return { ...state, market: [...others, entry].slice(-state.limits.marketEntries) };
}

function moveProvider(state: StatusState, providerId: string, stage: MarketStage, at: number): StatusState {
  return updateProvider(state, providerId, at, (entry) =>
    entry.stage === stage ? entry : { ...entry, stage },
  );
}

function updateProvider(
  state: StatusState,
  providerId: string,
  at: number,
  change: (entry: MarketEntry) => MarketEntry,
): StatusState {
  const index = state.market.findIndex((e) => e.providerId === providerId);
  const entry = state.market[index];
  if (entry === undefined) return state;
  const changed = change(entry);
  if (changed === entry) return state;
  const market = [...state.market];
  market[index] = { ...changed, updatedAt: at };
  return { ...state, market };
}

const RANK: Readonly<Record<MarketStage, number>> = {
  offer: 0,
  dropped: 1,
  rejected: 1,
  failed: 1,
  closed: 1,
  countered: 2,
  draft: 3,
  agreement: 4,
  approved: 5,
  activity: 6,
};
