/** Helpers of the payment tests: reading events and documents over HTTP. */
import type { DebitNoteDto, DebitNoteEventDto, InvoiceDto, InvoiceEventDto } from 'golem-rx';
import type { Harness } from '../activity/harness.js';

export const P = '/payment-api/v1';

/** Long-polls `/debitNoteEvents` (or `/invoiceEvents`) once. */
export async function events<T = DebitNoteEventDto | InvoiceEventDto>(
  h: Harness,
  kind: 'debitNoteEvents' | 'invoiceEvents',
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<T[]> {
  const qs = new URLSearchParams({ timeout: '5', ...query }).toString();
  const res = await h.call('GET', `${P}/${kind}?${qs}`, undefined, headers);
  if (res.status !== 200) throw new Error(`${kind}: ${res.status} ${res.text}`);
  return res.body as T[];
}

/** Waits for the next `n` received debit notes after `cursor`; returns them and the new cursor. */
export async function nextDebitNotes(
  h: Harness,
  cursor: string | undefined,
  n = 1,
): Promise<{ notes: DebitNoteDto[]; cursor: string | undefined }> {
  const notes: DebitNoteDto[] = [];
  let after = cursor;
  while (notes.length < n) {
    const batch = await events<DebitNoteEventDto>(
      h,
      'debitNoteEvents',
      after === undefined ? {} : { afterTimestamp: after },
    );
    for (const e of batch) {
      after = e.eventDate;
      if (e.eventType === 'DebitNoteReceivedEvent') {
        notes.push((await h.call('GET', `${P}/debitNotes/${e.debitNoteId}`)).body as DebitNoteDto);
      }
    }
  }
  return { notes, cursor: after };
}

/** Waits for the first received debit note after `cursor` that satisfies `predicate`. */
export async function debitNoteWhere(
  h: Harness,
  cursor: string | undefined,
  predicate: (note: DebitNoteDto) => boolean,
): Promise<{ note: DebitNoteDto; cursor: string | undefined }> {
  let after = cursor;
  for (let i = 0; i < 20; i++) {
    const next = await nextDebitNotes(h, after);
    after = next.cursor;
    const note = next.notes.find(predicate);
    if (note !== undefined) return { note, cursor: after };
  }
  throw new Error('no such debit note');
}

/** Waits for the first received invoice of an agreement. */
export async function invoiceOf(h: Harness, agreementId: string): Promise<InvoiceDto> {
  let after: string | undefined;
  for (let i = 0; i < 20; i++) {
    for (const e of await events<InvoiceEventDto>(
      h,
      'invoiceEvents',
      after === undefined ? {} : { afterTimestamp: after },
    )) {
      after = e.eventDate;
      const invoice = (await h.call('GET', `${P}/invoices/${e.invoiceId}`)).body as InvoiceDto;
      if (invoice.agreementId === agreementId) return invoice;
    }
  }
  throw new Error(`no invoice for ${agreementId}`);
}

/** Creates an allocation and returns its id. */
export async function allocate(h: Harness, totalAmount: string): Promise<string> {
  const res = await h.call('POST', `${P}/allocations`, { totalAmount });
  if (res.status !== 201) throw new Error(res.text);
  return (res.body as { allocationId: string }).allocationId;
}
