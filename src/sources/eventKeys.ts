import { normalizeTimestamp } from './timestamps.js';

const ID_FIELDS = [
  'agreementId',
  'debitNoteId',
  'invoiceId',
  'paymentId',
  'activityId',
  'proposalId',
] as const;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === 'string' ? found : undefined;
}

/** JSON with object keys sorted, so equal events give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * The de-duplication key of a `collectOffers` event (consuming queue):
 * `ProposalEvent:<proposalId>`, `ProposalRejectedEvent:<proposalId>`,
 * `PropertyQueryEvent:<queryId>`; any other shape is keyed by its canonical JSON.
 * A provider's draft answer has a new proposal id, so it is never mistaken for its offer.
 */
export function marketEventKey(event: unknown): string {
  const type = text(event, 'eventType') ?? text(event, 'eventtype');
  const id =
    type === 'ProposalEvent'
      ? text(field(event, 'proposal'), 'proposalId')
      : type === 'ProposalRejectedEvent'
        ? text(event, 'proposalId')
        : type === 'PropertyQueryEvent'
          ? text(field(event, 'propertyQuery'), 'queryId')
          : undefined;
  return type !== undefined && id !== undefined ? `${type}:${id}` : canonicalJson(event);
}

/**
 * The de-duplication key of a persistent-log event (agreement, debit note, invoice, payment):
 * `<id>:<eventType>:<eventDate normalised>`, the id being the first of `agreementId`,
 * `debitNoteId`, `invoiceId`, `paymentId`, `activityId`, `proposalId` present. The date is
 * normalised, so `…1.2Z` and `…1.200Z` are the same event. Other shapes: canonical JSON.
 *
 * @throws {MalformedTimestampError} when `eventDate` is present but not RFC 3339
 */
export function persistentEventKey(event: unknown): string {
  const type = text(event, 'eventType') ?? text(event, 'eventtype');
  const date = text(event, 'eventDate');
  const idField = ID_FIELDS.find((name) => text(event, name) !== undefined);
  if (type === undefined || date === undefined || idField === undefined) return canonicalJson(event);
  return `${text(event, idField)}:${type}:${normalizeTimestamp(date)}`;
}
