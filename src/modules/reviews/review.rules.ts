import type { AuthUser } from '../../common/auth/roles';
import type { ReviewCadence, ReviewScope } from './review.entity';

/** The next scheduled round after `from`: a week, a calendar month, or three calendar months later (UTC), the day clamped to the month's end. */
export function nextRunAfter(cadence: ReviewCadence, from: Date): Date {
  if (cadence === 'weekly') return new Date(from.getTime() + 7 * 86_400_000);
  const months = cadence === 'monthly' ? 1 : 3;
  const target = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + months, 1, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return target;
}

export type TaskState = 'done' | 'overdue' | 'open';

/** A task is done once confirmed (however late); otherwise overdue once its due time has passed. */
export function taskState(task: { doneAt: Date | null; dueAt: Date }, now: Date): TaskState {
  if (task.doneAt !== null) return 'done';
  return task.dueAt.getTime() <= now.getTime() ? 'overdue' : 'open';
}

/** What is wrong with a round's scope, or undefined: tier needs tierId, tag needs tagId, and neither goes with another scope. */
export function scopeProblem(scope: ReviewScope, tierId: string | undefined, tagId: string | undefined): { field: string; message: string } | undefined {
  if (scope === 'tier' && !tierId) return { field: 'tierId', message: 'scope tier needs tierId' };
  if (scope === 'tag' && !tagId) return { field: 'tagId', message: 'scope tag needs tagId' };
  if (scope !== 'tier' && tierId) return { field: 'tierId', message: 'tierId goes only with scope tier' };
  if (scope !== 'tag' && tagId) return { field: 'tagId', message: 'tagId goes only with scope tag' };
  return undefined;
}

/**
 * The department a round is for: a manager's own (naming another is "not found"), any an admin
 * names, or null (every department) when an admin names none.
 */
export function roundDepartment(caller: AuthUser, departmentId: string | undefined): { departmentId: string | null } | 'not_found' {
  if (caller.role === 'admin') return { departmentId: departmentId ?? null };
  if (departmentId !== undefined && departmentId !== caller.departmentId) return 'not_found';
  return { departmentId: caller.departmentId };
}

/**
 * Which part of a round's progress the caller sees: admins and auditors all of it; a manager their
 * department's tasks (a round of another department does not exist for them); a seller their own
 * tasks (a round without any does not exist for them).
 */
export function progressView(
  caller: AuthUser,
  round: { departmentId: string | null },
  callerHasTasks: boolean,
): { departmentId: string | null; ownerId: string | null } | 'not_found' {
  if (caller.role === 'admin' || caller.role === 'auditor') return { departmentId: null, ownerId: null };
  if (caller.role === 'manager') {
    return round.departmentId === null || round.departmentId === caller.departmentId ? { departmentId: caller.departmentId, ownerId: null } : 'not_found';
  }
  if (caller.role === 'sales' && callerHasTasks) return { departmentId: null, ownerId: caller.id };
  return 'not_found';
}
