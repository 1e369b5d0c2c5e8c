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
