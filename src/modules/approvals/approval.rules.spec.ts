import { currentStep, decisionProblem, Person } from './approval.rules';

const person = (id: string, role: Person['role'], departmentId = 'east'): Person => ({ id, role, departmentId });
const managerStep = { kind: 'department_manager' as const, departmentId: 'east' };
const adminStep = { kind: 'admin' as const, departmentId: null };

describe('decisionProblem', () => {
  const requester = person('sales-1', 'sales');

  it('refuses the requester, even an admin deciding their own request', () => {
    expect(decisionProblem(requester, managerStep, requester, true)).toBe('SELF_APPROVAL');
    const admin = person('admin-1', 'admin');
    expect(decisionProblem(admin, adminStep, admin, true)).toBe('SELF_APPROVAL');
  });

  it('gives a department step to that department\'s managers only', () => {
    expect(decisionProblem(person('m-east', 'manager'), managerStep, requester, true)).toBeUndefined();
    expect(decisionProblem(person('m-west', 'manager', 'west'), managerStep, requester, true)).toBe('NOT_YOUR_STEP');
    expect(decisionProblem(person('a', 'admin'), managerStep, requester, true)).toBe('NOT_YOUR_STEP');
  });

  it('lets an admin decide a department step when its only manager is the requester', () => {
    const managerRequester = person('m-east', 'manager');
    expect(decisionProblem(person('a', 'admin'), managerStep, managerRequester, false)).toBeUndefined();
  });

  it('gives an admin step to admins', () => {
    expect(decisionProblem(person('a', 'admin'), adminStep, requester, true)).toBeUndefined();
    expect(decisionProblem(person('m-east', 'manager'), adminStep, requester, true)).toBe('NOT_YOUR_STEP');
  });
});

describe('currentStep', () => {
  it('is the first pending step in order', () => {
    expect(
      currentStep([
        { stepNo: 2, status: 'pending' as const },
        { stepNo: 1, status: 'approved' as const },
        { stepNo: 3, status: 'pending' as const },
      ])?.stepNo,
    ).toBe(2);
    expect(currentStep([{ stepNo: 1, status: 'approved' as const }])).toBeUndefined();
  });
});
