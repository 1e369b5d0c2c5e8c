import { activityOwnerProblem, bookingWarnings, mayRecordOutcome, seesActivity } from './activity.rules';

const now = new Date('2026-12-01T08:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe('bookingWarnings', () => {
  it('warns of a visit booked less than three days ahead, and of nothing else', () => {
    expect(bookingWarnings('visit_plan', days(2.9), now)).toEqual([expect.objectContaining({ code: 'VISIT_BOOKED_LATE' })]);
    expect(bookingWarnings('visit_plan', days(-1), now)).toHaveLength(1);
    expect(bookingWarnings('visit_plan', days(3), now)).toEqual([]);
    expect(bookingWarnings('marketing_event', days(1), now)).toEqual([]);
  });
});

describe('seesActivity', () => {
  const activity = { ownerId: 'o', departmentId: 'east' };
  it('owner, department manager, admins, auditors, and whoever sees a linked customer', () => {
    expect(seesActivity({ id: 'o', role: 'sales', departmentId: 'east' }, activity, 0)).toBe(true);
    expect(seesActivity({ id: 'm', role: 'manager', departmentId: 'east' }, activity, 0)).toBe(true);
    expect(seesActivity({ id: 'm', role: 'manager', departmentId: 'west' }, activity, 0)).toBe(false);
    expect(seesActivity({ id: 'a', role: 'admin', departmentId: 'west' }, activity, 0)).toBe(true);
    expect(seesActivity({ id: 's', role: 'sales', departmentId: 'east' }, activity, 0)).toBe(false);
    expect(seesActivity({ id: 's', role: 'service', departmentId: 'west' }, activity, 1)).toBe(true);
  });
  it('outcome by owner, department manager or admin only', () => {
    expect(mayRecordOutcome({ id: 'o', role: 'sales', departmentId: 'east' }, activity)).toBe(true);
    expect(mayRecordOutcome({ id: 's', role: 'service', departmentId: 'east' }, activity)).toBe(false);
    expect(mayRecordOutcome({ id: 'm', role: 'manager', departmentId: 'east' }, activity)).toBe(true);
  });
});

describe('activityOwnerProblem', () => {
  it('self always; a manager within the department; an admin anyone active', () => {
    const member = { id: 'x', active: true, departmentId: 'east' };
    expect(activityOwnerProblem({ id: 'x', role: 'sales', departmentId: 'east' }, member)).toBeUndefined();
    expect(activityOwnerProblem({ id: 'y', role: 'sales', departmentId: 'east' }, member)).toMatch(/manager/);
    expect(activityOwnerProblem({ id: 'm', role: 'manager', departmentId: 'east' }, member)).toBeUndefined();
    expect(activityOwnerProblem({ id: 'm', role: 'manager', departmentId: 'west' }, member)).toMatch(/manager/);
    expect(activityOwnerProblem({ id: 'a', role: 'admin', departmentId: 'west' }, { ...member, active: false })).toMatch(/deactivated/);
  });
});
