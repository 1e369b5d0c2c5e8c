import type { ComplaintStatus } from './complaint.entity';

export const COMPLAINT_ACTIONS = ['assign', 'start', 'resolve', 'verify', 'close', 'reopen', 'escalate'] as const;
export type ComplaintAction = (typeof COMPLAINT_ACTIONS)[number];

const OPEN: readonly ComplaintStatus[] = ['received', 'assigned', 'in_progress'];

/**
 * The complaint flow: received → assigned → in_progress → resolved → verified → closed, reopen
 * back to in_progress, reassignment and escalation while open. Undefined: the flow does not allow it.
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
  }
}

export function isOpen(status: ComplaintStatus): boolean {
  return OPEN.includes(status);
}
