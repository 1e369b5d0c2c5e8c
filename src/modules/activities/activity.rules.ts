/** Pure rules of activities (活动记录, seed 004 §3.3). */
import type { ActivityKind } from './activity.entity';

/** Visits are booked three days ahead (seed 001 §2). */
export const VISIT_BOOKING_DAYS = 3;

export interface ActivityWarning {
  code: 'VISIT_BOOKED_LATE';
  message: string;
}

/** A visit plan booked less than three days before it starts is accepted, with this warning. */
export function bookingWarnings(kind: ActivityKind, startsAt: Date, now: Date): ActivityWarning[] {
  if (kind !== 'visit_plan') return [];
  if (startsAt.getTime() - now.getTime() >= VISIT_BOOKING_DAYS * 86_400_000) return [];
  return [{ code: 'VISIT_BOOKED_LATE', message: `Visits are booked ${VISIT_BOOKING_DAYS} days ahead (seed 001 §2); this one starts sooner` }];
}

export interface ActivityPeople {
  ownerId: string;
  departmentId: string;
}

/**
 * Whether the caller sees an activity: its owner, the manager of its department, admins and
 * auditors (everything, read-only), and whoever sees at least one of its customers.
 */
export function seesActivity(caller: { id: string; role: string; departmentId: string }, activity: ActivityPeople, visibleCustomers: number): boolean {
  if (caller.role === 'admin' || caller.role === 'auditor') return true;
  if (activity.ownerId === caller.id) return true;
  if (caller.role === 'manager' && caller.departmentId === activity.departmentId) return true;
  return visibleCustomers > 0;
}

/** Who records how it went: the owner, the manager of its department, an admin. */
export function mayRecordOutcome(caller: { id: string; role: string; departmentId: string }, activity: ActivityPeople): boolean {
  return caller.role === 'admin' || activity.ownerId === caller.id || (caller.role === 'manager' && caller.departmentId === activity.departmentId);
}

/**
 * Who may own an activity: the caller themself; a manager names a member of their department; an
 * admin anyone. The owner must be active.
 */
export function activityOwnerProblem(caller: { id: string; role: string; departmentId: string }, proposed: { id: string; active: boolean; departmentId: string } | undefined): string | undefined {
  if (!proposed) return 'ownerId does not name a user';
  if (!proposed.active) return 'ownerId names a deactivated user';
  if (proposed.id === caller.id || caller.role === 'admin') return undefined;
  if (caller.role === 'manager' && proposed.departmentId === caller.departmentId) return undefined;
  return 'only a manager (for their department) or an admin may name another owner';
}
