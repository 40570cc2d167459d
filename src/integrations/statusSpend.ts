/**
 * The spend part of the status model: debit notes and invoices to a running total.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import { amountField, stringField } from './statusFields.js';
import type { StatusState } from './statusModel.js';

type Spend = StatusState['spend'];

/** Applies a debit note's data (`activityId`, `agreementId`, cumulative `totalAmountDue`). */
export function applyDebitNote(state: StatusState, data: unknown, at: number): StatusState {
  const activityId = stringField(data, 'activityId');
  const agreementId = stringField(data, 'agreementId');
  const amount = amountField(data, 'totalAmountDue');
  if (activityId === undefined || agreementId === undefined || amount === undefined) return state;
  const previous = state.spend.debitNotes[activityId];
  // totalAmountDue is cumulative per activity: an older note arriving late must not lower it
  if (previous !== undefined && previous.amount.gte(amount)) return state;
  const debitNotes = { ...state.spend.debitNotes, [activityId]: { agreementId, amount } };
  return withTotal(state, { ...state.spend, debitNotes }, at);
}

/** Applies an invoice's data (`agreementId`, `amount`: the agreement's total). */
export function applyInvoice(state: StatusState, data: unknown, at: number): StatusState {
  const agreementId = stringField(data, 'agreementId');
  const amount = amountField(data, 'amount');
  if (agreementId === undefined || amount === undefined) return state;
  const previous = state.spend.invoices[agreementId];
  if (previous?.eq(amount)) return state;
  const invoices = { ...state.spend.invoices, [agreementId]: amount };
  return withTotal(state, { ...state.spend, invoices }, at);
}

/** Σ over agreements of max(invoiced, Σ of its activities' debit notes). */
function totalOf(spend: Omit<Spend, 'total' | 'series'>): Decimal {
  const owed = new Map<string, Decimal>();
  for (const note of Object.values(spend.debitNotes)) {
    owed.set(note.agreementId, (owed.get(note.agreementId) ?? new Decimal(0)).plus(note.amount));
  }
  for (const [agreementId, invoiced] of Object.entries(spend.invoices)) {
    owed.set(agreementId, Decimal.max(invoiced, owed.get(agreementId) ?? 0));
  }
  let total = new Decimal(0);
  for (const amount of owed.values()) total = total.plus(amount);
  return total;
}

function withTotal(state: StatusState, spend: Spend, at: number): StatusState {
  const total = totalOf(spend);
  if (total.eq(state.spend.total))
    return { ...state, updatedAt: at, spend: { ...spend, total: state.spend.total } };
  const series = [...spend.series, { at, total }].slice(-state.limits.spendPoints);
  return { ...state, updatedAt: at, spend: { ...spend, total, series } };
}
