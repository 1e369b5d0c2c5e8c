/**
 * The audit actions integrators hear about, by the event name webhooks carry. An action not listed
 * here (logins, reads, settings, users) writes no outbox row. Names are past tense, `entity.verb`.
 */
const INTEGRATOR_EVENTS: Readonly<Record<string, string>> = {
  'customer.create': 'customer.created',
  'customer.update': 'customer.updated',
  'customer.tags': 'customer.updated',
  'customer.tier': 'customer.updated',
  'customer.consent': 'customer.updated',
  'customer.dormant': 'customer.updated',
  'customer.reactivate': 'customer.updated',
  'customer.transfer': 'customer.transferred',
  'customer.succession': 'customer.transferred',
  'customer.merge': 'customer.merged',
  'customer.merged': 'customer.merged',
  'customer.delete': 'customer.deleted',
  'contact.create': 'contact.created',
  'contact.update': 'contact.updated',
  'contact.left': 'contact.left',
  'contact.removed': 'contact.removed',
  'contact.merge_moved': 'contact.updated',
  'interaction.create': 'interaction.created',
  'complaint.create': 'complaint.created',
  'complaint.assign': 'complaint.assigned',
  'complaint.start': 'complaint.started',
  'complaint.resolve': 'complaint.resolved',
  'complaint.verify': 'complaint.verified',
  'complaint.close': 'complaint.closed',
  'complaint.reopen': 'complaint.reopened',
  'complaint.escalate': 'complaint.escalated',
  'complaint.notify': 'complaint.notified',
  'complaint.breach': 'complaint.breached',
  'complaint.follow_up_overdue': 'complaint.follow_up_overdue',
  'complaint.transfer_reassigned': 'complaint.reassigned',
  'approval.request': 'approval.requested',
  'approval.approve': 'approval.decided',
  'approval.reject': 'approval.decided',
  'request.create': 'request.created',
  'request.assign': 'request.assigned',
  'request.acknowledge': 'request.acknowledged',
  'request.start': 'request.started',
  'request.progress': 'request.progressed',
  'request.answer': 'request.answered',
  'request.close': 'request.closed',
  'request.reopen': 'request.reopened',
  'request.breach': 'request.breached',
};

/** Every event name a webhook may subscribe to (or to a prefix of: `customer.`), sorted. */
export const INTEGRATOR_EVENT_NAMES: readonly string[] = [...new Set(Object.values(INTEGRATOR_EVENTS))].sort();

/** The webhook event an audit action announces, or null when integrators do not hear of it. */
export function integratorEvent(action: string): string | null {
  return Object.hasOwn(INTEGRATOR_EVENTS, action) ? INTEGRATOR_EVENTS[action] : null;
}

type Json = Record<string, unknown>;

/** Unmasked values of personal fields, by field, before and after a change (what the audit log shows masked). */
export interface OutboxPii {
  before?: Json | null;
  after?: Json | null;
}

/** Where an event's sealed personal data is stored: the ciphertext is bound to its event row. */
export const outboxPiiPlace = (eventId: string) => ({ table: 'outbox_events', column: 'pii_enc', rowId: eventId });

/**
 * The unmasked values worth keeping for an event: only fields the (diffed) payload itself shows,
 * on the same side, so a webhook never learns more than the change. Null when nothing is left.
 */
export function outboxPiiOf(pii: OutboxPii | undefined, shown: { before: Json | null; after: Json | null }): Required<OutboxPii> | null {
  if (!pii) return null;
  const pick = (values: Json | null | undefined, visible: Json | null) =>
    values && visible ? Object.fromEntries(Object.keys(values).filter((k) => k in visible).map((k) => [k, values[k]])) : {};
  const before = pick(pii.before, shown.before);
  const after = pick(pii.after, shown.after);
  if (Object.keys(before).length === 0 && Object.keys(after).length === 0) return null;
  return { before, after };
}

/** The payload with the masked values of its personal fields replaced by the unmasked ones. */
export function unmaskedPayload(payload: Json, pii: OutboxPii): Json {
  const overlay = (shown: unknown, values: Json | null | undefined) => {
    if (!values || shown === null || typeof shown !== 'object') return shown;
    const result: Json = { ...(shown as Json) };
    for (const [key, value] of Object.entries(values)) if (key in result) result[key] = value;
    return result;
  };
  return { ...payload, before: overlay(payload.before, pii.before), after: overlay(payload.after, pii.after) };
}
