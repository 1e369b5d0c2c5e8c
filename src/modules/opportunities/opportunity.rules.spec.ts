import { ownerProblem, probabilityFor, stageChangeProblem, stagesProblem } from './opportunity.rules';

const lead = { code: 'lead', outcome: 'open' as const, defaultProbability: 10 };
const proposal = { code: 'proposal', outcome: 'open' as const, defaultProbability: 50 };
const won = { code: 'won', outcome: 'won' as const, defaultProbability: 100 };
const lost = { code: 'lost', outcome: 'lost' as const, defaultProbability: 0 };

describe('stageChangeProblem', () => {
  it('lets open stages move freely', () => {
    expect(stageChangeProblem(lead, proposal, {})).toBeUndefined();
    expect(stageChangeProblem(proposal, lead, {})).toBeUndefined();
  });

  it('needs a reason to lose', () => {
    expect(stageChangeProblem(proposal, lost, {})).toMatchObject({ code: 'REASON_REQUIRED', field: 'reason' });
    expect(stageChangeProblem(proposal, lost, { reason: '   ' })).toMatchObject({ code: 'REASON_REQUIRED' });
    expect(stageChangeProblem(proposal, lost, { reason: '价格高于竞品' })).toBeUndefined();
  });

  it('needs the final amount to win', () => {
    expect(stageChangeProblem(proposal, won, {})).toMatchObject({ code: 'FINAL_AMOUNT_REQUIRED', field: 'finalAmount' });
    expect(stageChangeProblem(proposal, won, { finalAmount: 0 })).toBeUndefined();
    expect(stageChangeProblem(proposal, won, { finalAmount: 120000.5 })).toBeUndefined();
  });

  it('needs a reason to reopen a closed one, won or lost', () => {
    expect(stageChangeProblem(lost, proposal, {})).toMatchObject({ code: 'REASON_REQUIRED' });
    expect(stageChangeProblem(won, lead, {})).toMatchObject({ code: 'REASON_REQUIRED' });
    expect(stageChangeProblem(won, lost, { reason: '客户撤单' })).toBeUndefined();
    expect(stageChangeProblem(lost, proposal, { reason: '客户重新询价' })).toBeUndefined();
  });

  it('asks nothing when the stage stays', () => {
    expect(stageChangeProblem(lost, lost, {})).toBeUndefined();
  });
});

describe('stagesProblem', () => {
  const s = (code: string, outcome: 'open' | 'won' | 'lost', p: number) => ({ code, name: code, outcome, defaultProbability: p });
  it('accepts the defaults', () => {
    expect(stagesProblem([s('lead', 'open', 10), s('won', 'won', 100), s('lost', 'lost', 0)])).toBeUndefined();
  });
  it('refuses duplicates and a missing outcome', () => {
    expect(stagesProblem([s('lead', 'open', 10), s('lead', 'won', 100), s('lost', 'lost', 0)])).toMatch(/unique/);
    expect(stagesProblem([s('lead', 'open', 10), s('lost', 'lost', 0)])).toMatch(/won/);
    expect(stagesProblem([s('lead', 'open', 10), s('won', 'won', 90), s('lost', 'lost', 0)])).toMatch(/probability 100/);
  });
});

describe('probabilityFor', () => {
  it('takes the given probability in open stages and the stage\'s in closed ones', () => {
    expect(probabilityFor(proposal, undefined)).toBe(50);
    expect(probabilityFor(proposal, 65)).toBe(65);
    expect(probabilityFor(won, 65)).toBe(100);
    expect(probabilityFor(lost, 65)).toBe(0);
  });
});

describe('ownerProblem', () => {
  const customer = { ownerId: 'o', departmentId: 'east' };
  const member = { id: 'm', active: true, role: 'sales', departmentId: 'east' };
  it('lets anyone keep the customer\'s owner', () => {
    expect(ownerProblem({ id: 'x', role: 'sales', departmentId: 'east' }, customer, { ...member, id: 'o' })).toBeUndefined();
  });
  it('lets the department\'s manager or an admin name another member', () => {
    expect(ownerProblem({ id: 'x', role: 'manager', departmentId: 'east' }, customer, member)).toBeUndefined();
    expect(ownerProblem({ id: 'x', role: 'admin', departmentId: 'west' }, customer, member)).toBeUndefined();
  });
  it('refuses sellers, other departments\' managers, outsiders and leavers', () => {
    expect(ownerProblem({ id: 'x', role: 'sales', departmentId: 'east' }, customer, member)).toMatch(/manager/);
    expect(ownerProblem({ id: 'x', role: 'manager', departmentId: 'west' }, customer, member)).toMatch(/manager/);
    expect(ownerProblem({ id: 'x', role: 'admin', departmentId: 'east' }, customer, { ...member, departmentId: 'west' })).toMatch(/department/);
    expect(ownerProblem({ id: 'x', role: 'admin', departmentId: 'east' }, customer, { ...member, active: false })).toMatch(/deactivated/);
    expect(ownerProblem({ id: 'x', role: 'admin', departmentId: 'east' }, customer, { ...member, role: 'service' })).toMatch(/role/);
  });
});
