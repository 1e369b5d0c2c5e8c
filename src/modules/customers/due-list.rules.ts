/**
 * GET /follow-ups/due lists two kinds of item (issue 17): customers due for contact under their
 * tier's cadence, and open review tasks, in one order: due time, then kind ('follow_up' before
 * 'review'), then customer id, then round id (a follow-up has none: the nil UUID stands in).
 * Each kind is read by its own index in that order; the cursor (the last item's key) becomes a
 * bound for each, exact at equal due times.
 */
export const DUE_ITEM_KINDS = ['follow_up', 'review'] as const;
export type DueItemKind = (typeof DUE_ITEM_KINDS)[number];

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** The last item of a page: its due time as PostgreSQL printed it (full precision), kind, customer, round. */
export interface DueItemKey {
  dueAt: string;
  kind: DueItemKind;
  customerId: string;
  roundId: string;
}

export interface DueListBounds {
  /** Follow-ups after it: (next_follow_up_at, id) > (dueAt, customerId). */
  followUp: { dueAt: string; customerId: string };
  /** Review tasks after it: (due_at, customer_id, round_id) `op` (dueAt, customerId, roundId). */
  review: { op: '>' | '>='; dueAt: string; customerId: string; roundId: string };
}

/**
 * The bounds of each kind after `key`. After a follow-up due at T, the remaining follow-ups are
 * those after it; every review task due at T still comes (reviews sort after follow-ups at equal
 * times): >= (T, nil, nil). After a review task due at T, no follow-up due at T remains: > (T, max
 * uuid) keeps only later ones; the review tasks are those after it.
 */
export function dueListBounds(key: DueItemKey): DueListBounds {
  if (key.kind === 'follow_up') {
    return { followUp: { dueAt: key.dueAt, customerId: key.customerId }, review: { op: '>=', dueAt: key.dueAt, customerId: NIL_UUID, roundId: NIL_UUID } };
  }
  return { followUp: { dueAt: key.dueAt, customerId: MAX_UUID }, review: { op: '>', dueAt: key.dueAt, customerId: key.customerId, roundId: key.roundId } };
}

/** A timestamptz as PostgreSQL prints it (or ISO 8601). */
const TIMESTAMP = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d(:?\d\d)?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A decoded cursor's values as a key, or undefined when they are not one (the cursor is then refused). */
export function dueItemKey(values: readonly unknown[]): DueItemKey | undefined {
  const [dueAt, kind, customerId, roundId] = values;
  if (typeof dueAt !== 'string' || !TIMESTAMP.test(dueAt)) return undefined;
  if (!DUE_ITEM_KINDS.includes(kind as DueItemKind)) return undefined;
  if (typeof customerId !== 'string' || !UUID.test(customerId) || typeof roundId !== 'string' || !UUID.test(roundId)) return undefined;
  return { dueAt, kind: kind as DueItemKind, customerId, roundId };
}
