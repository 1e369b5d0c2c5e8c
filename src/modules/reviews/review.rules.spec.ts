import type { AuthUser } from '../../common/auth/roles';
import { nextRunAfter, progressView, roundDepartment, scopeProblem, taskState } from './review.rules';

const user = (role: AuthUser['role'], departmentId = 'east', id = 'me'): AuthUser => ({ id, username: id, role, departmentId });

describe('nextRunAfter', () => {
  it('a week, a month, a quarter; the day clamped to the end of a shorter month', () => {
    expect(nextRunAfter('weekly', new Date('2026-01-30T01:00:00Z')).toISOString()).toBe('2026-02-06T01:00:00.000Z');
    expect(nextRunAfter('monthly', new Date('2026-01-31T01:00:00Z')).toISOString()).toBe('2026-02-28T01:00:00.000Z');
    expect(nextRunAfter('quarterly', new Date('2026-11-30T01:00:00Z')).toISOString()).toBe('2027-02-28T01:00:00.000Z');
    expect(nextRunAfter('quarterly', new Date('2026-01-15T00:00:00Z')).toISOString()).toBe('2026-04-15T00:00:00.000Z');
  });
});

describe('taskState', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('done once confirmed, however late; overdue from the due time; open before', () => {
    expect(taskState({ doneAt: new Date('2026-06-02T00:00:00Z'), dueAt: new Date('2026-05-01T00:00:00Z') }, now)).toBe('done');
    expect(taskState({ doneAt: null, dueAt: now }, now)).toBe('overdue');
    expect(taskState({ doneAt: null, dueAt: new Date('2026-06-01T00:00:01Z') }, now)).toBe('open');
  });
});

describe('scopeProblem', () => {
  it('tier needs tierId, tag needs tagId, all takes neither', () => {
    expect(scopeProblem('all', undefined, undefined)).toBeUndefined();
    expect(scopeProblem('tier', 't', undefined)).toBeUndefined();
    expect(scopeProblem('tier', undefined, undefined)?.field).toBe('tierId');
    expect(scopeProblem('tag', undefined, undefined)?.field).toBe('tagId');
    expect(scopeProblem('all', 't', undefined)?.field).toBe('tierId');
  });
});

describe('roundDepartment and progressView', () => {
  it('a manager holds rounds for their own department only; an admin for any or all', () => {
    expect(roundDepartment(user('manager'), undefined)).toEqual({ departmentId: 'east' });
    expect(roundDepartment(user('manager'), 'west')).toBe('not_found');
    expect(roundDepartment(user('admin'), undefined)).toEqual({ departmentId: null });
    expect(roundDepartment(user('admin'), 'west')).toEqual({ departmentId: 'west' });
  });

  it('progress: all for admin and auditor, the department for its manager, own tasks for a seller', () => {
    expect(progressView(user('auditor'), { departmentId: 'west' }, false)).toEqual({ departmentId: null, ownerId: null });
    expect(progressView(user('manager'), { departmentId: 'west' }, false)).toBe('not_found');
    expect(progressView(user('manager'), { departmentId: null }, false)).toEqual({ departmentId: 'east', ownerId: null });
    expect(progressView(user('sales'), { departmentId: 'east' }, true)).toEqual({ departmentId: null, ownerId: 'me' });
    expect(progressView(user('sales'), { departmentId: 'east' }, false)).toBe('not_found');
    expect(progressView(user('service'), { departmentId: 'east' }, true)).toBe('not_found');
  });
});
