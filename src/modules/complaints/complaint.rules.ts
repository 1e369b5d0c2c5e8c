import type { ComplaintSeverity, ComplaintStatus } from './complaint.entity';

export const COMPLAINT_ACTIONS = ['assign', 'start', 'resolve', 'verify', 'close', 'reopen', 'escalate', 'notify'] as const;
export type ComplaintAction = (typeof COMPLAINT_ACTIONS)[number];

const OPEN: readonly ComplaintStatus[] = ['received', 'assigned', 'in_progress'];

/**
 * The complaint flow: received → assigned → in_progress → resolved → verified → closed, reopen
 * back to in_progress, reassignment and escalation while open; the customer may be told of progress
 * or result (notify) at any step before it is closed. Undefined: the flow does not allow it.
 */
export function nextStatus(status: ComplaintStatus, action: ComplaintAction): ComplaintStatus | undefined {
  switch (action) {
    case 'assign':
      if (status === 'received' || status === 'assigned') return 'assigned';
      return status === 'in_progress' ? 'in_progress' : undefined;
    case 'start':
      return status === 'assigned' ? 'in_progress' : undefined;
    case 'resolve':
      return status === 'in_progress' ? 'resolved' : undefined;
    case 'verify':
      return status === 'resolved' ? 'verified' : undefined;
    case 'close':
      return status === 'verified' ? 'closed' : undefined;
    case 'reopen':
      return status === 'resolved' || status === 'verified' || status === 'closed' ? 'in_progress' : undefined;
    case 'escalate':
      return OPEN.includes(status) ? status : undefined;
    case 'notify':
      return status === 'closed' ? undefined : status;
  }
}

export function isOpen(status: ComplaintStatus): boolean {
  return OPEN.includes(status);
}

/** How far ahead of the server clock a receipt time may lie (clock skew between devices). */
export const RECEIVED_AT_MAX_AHEAD_MS = 5 * 60_000;
/** How far back a complaint may be recorded: older ones are not complaints to handle but history. */
export const RECEIVED_AT_MAX_AGE_DAYS = 90;

/**
 * Why `receivedAt` cannot be accepted, or undefined when it can: a future receipt would never be
 * breached and resolve in 0 working minutes, an ancient one would make the deadline maths walk centuries.
 */
export function receivedAtProblem(receivedAt: Date, now: Date): string | undefined {
  if (receivedAt.getTime() > now.getTime() + RECEIVED_AT_MAX_AHEAD_MS) return 'receivedAt may not lie in the future (more than 5 minutes ahead of the server clock)';
  if (receivedAt.getTime() < now.getTime() - RECEIVED_AT_MAX_AGE_DAYS * 86_400_000) return `receivedAt may not lie more than ${RECEIVED_AT_MAX_AGE_DAYS} days back`;
  return undefined;
}

/** 严重 and 重大: led by the department manager (seed 001 §2(三)); 一般 is handled by service staff. */
export function ledByDepartmentManager(severity: ComplaintSeverity): boolean {
  return severity !== 'general';
}

export interface TimelineFact {
  event: string;
  fromStatus: string | null;
  toStatus: string | null;
}

/** The event that records that the customer was told (notify-customer). */
export const CUSTOMER_NOTIFIED = 'customer_notified';

/**
 * Whether the customer was told of progress or result since the complaint last changed status,
 * given its timeline in order. Escalations, reassignments in place and notifications change no status.
 */
export function notifiedSinceLastStatusChange(timeline: readonly TimelineFact[]): boolean {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i];
    if (e.event === CUSTOMER_NOTIFIED) return true;
    if (e.fromStatus !== e.toStatus) return false;
  }
  return false;
}
