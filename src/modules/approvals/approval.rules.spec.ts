import { Candidate, currentStep, decisionProblem, independentDeciders, Person, stepCandidates } from './approval.rules';

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

describe('decisionProblem: two approvals mean two people', () => {
  const managerRequester = person('m-east', 'manager');
  const admin = person('a', 'admin');

  it('refuses a second step to whoever decided another step of the request', () => {
    // The admin took over the manager step (the only manager asked), and may not decide the admin step too.
    expect(decisionProblem(admin, adminStep, managerRequester, false, ['a'])).toBe('SAME_APPROVER');
    expect(decisionProblem(person('b', 'admin'), adminStep, managerRequester, false, ['a'])).toBeUndefined();
  });

  it('still says NOT_YOUR_STEP when the step is not theirs at all', () => {
    expect(decisionProblem(person('m-west', 'manager', 'west'), adminStep, managerRequester, true, ['m-west'])).toBe('NOT_YOUR_STEP');
  });
});

describe('stepCandidates', () => {
  const people: Candidate[] = [
    { id: 'm-east', role: 'manager', departmentId: 'east' },
    { id: 'm-west', role: 'manager', departmentId: 'west' },
    { id: 'a1', role: 'admin', departmentId: 'hq' },
    { id: 'a2', role: 'admin', departmentId: 'hq' },
  ];

  it('gives a department step to its managers, an admin step to the admins, never the requester', () => {
    expect(stepCandidates([managerStep, adminStep], 'sales-1', people)).toEqual([['m-east'], ['a1', 'a2']]);
    expect(stepCandidates([adminStep], 'a1', people)).toEqual([['a2']]);
  });

  it('gives a department step to the admins when its only manager is the requester, or it has none', () => {
    expect(stepCandidates([managerStep], 'm-east', people)).toEqual([['a1', 'a2']]);
    expect(stepCandidates([{ kind: 'department_manager', departmentId: 'north' }], 'sales-1', people)).toEqual([['a1', 'a2']]);
  });
});

describe('independentDeciders', () => {
  it('finds one different person per step', () => {
    expect(independentDeciders([['m'], ['a1', 'a2']])).toEqual(['m', 'a1']);
    expect(independentDeciders([])).toEqual([]);
  });

  it('moves an earlier choice aside when a later step has no one else', () => {
    // Greedy would give step 0 to a1 and leave step 1 empty.
    expect(independentDeciders([['a1', 'a2'], ['a1']])).toEqual(['a2', 'a1']);
    expect(independentDeciders([['a', 'b'], ['a', 'c'], ['b', 'c']])).toHaveLength(3);
  });

  it('refuses when the same one person would have to decide two steps', () => {
    // A manager deleting their own customer with one admin: the admin would decide both steps.
    expect(independentDeciders([['a1'], ['a1']])).toBeUndefined();
    expect(independentDeciders([['a'], []])).toBeUndefined();
    expect(independentDeciders([['a', 'b'], ['a', 'b'], ['a', 'b']])).toBeUndefined();
  });
});
