/** Wire objects for resource tests. */
import type {
  AgreementEventDto,
  ExeScriptCommandResultDto,
  MarketEventDto,
  ProposalDto,
} from '../../../src/api/types/index.js';

export const PROVIDER = '0x00000000000000000000000000000000000000aa';

/** A provider's proposal (Initial, or a Draft answering `prev`). */
export function proposalDto(
  id: string,
  prev?: string,
  properties: Record<string, unknown> = {},
): ProposalDto {
  return {
    proposalId: id,
    issuerId: PROVIDER,
    state: prev === undefined ? 'Initial' : 'Draft',
    timestamp: '2024-05-28T15:00:00Z',
    properties: {
      'golem.com.payment.platform.erc20-holesky-tglm.address': PROVIDER,
      'golem.com.payment.debit-notes.accept-timeout?': 240,
      ...properties,
    },
    constraints: '(&)',
    ...(prev === undefined ? {} : { prevProposalId: prev }),
  };
}

/** `ProposalEvent` carrying {@link proposalDto}. */
export function offerEvent(id: string, prev?: string): MarketEventDto {
  return { eventType: 'ProposalEvent', eventDate: '2024-05-28T15:00:01Z', proposal: proposalDto(id, prev) };
}

/** `ProposalRejectedEvent` for our proposal `id`. */
export function rejectedEvent(id: string, message = 'too cheap', isFinal = true): MarketEventDto {
  return {
    eventType: 'ProposalRejectedEvent',
    eventDate: '2024-05-28T15:00:02Z',
    proposalId: id,
    reason: { message, 'golem.proposal.rejection.is-final': isFinal },
  };
}

/** An agreement event. */
export function agreementEvent(
  agreementId: string,
  eventType: AgreementEventDto['eventType'],
  eventDate = '2024-05-28T15:01:00Z',
): AgreementEventDto {
  return eventType === 'AgreementTerminatedEvent'
    ? { eventType, eventDate, agreementId, terminator: 'Provider', signature: '' }
    : { eventType, eventDate, agreementId };
}

/** One command result. */
export function commandResult(
  index: number,
  result: 'Ok' | 'Error' = 'Ok',
  stdout: string | null = null,
): ExeScriptCommandResultDto {
  return {
    index,
    eventDate: '2024-05-28T15:02:00Z',
    result,
    stdout,
    stderr: result === 'Error' ? 'boom' : null,
    message: result === 'Error' ? 'exit code 1' : null,
    isBatchFinished: true,
  };
}
