import type { AuthUser, Role } from '../../common/auth/roles';
import { CustomerAccessRow, customerScope, isAuditedPiiRead, isComplaintVisible, isVisible, lostOwnership, mayDo, seesCommercialRecord, seesMaskedPii } from './access.rules';

const user = (role: Role, id = `${role}-1`, departmentId = 'dept-a'): AuthUser => ({ id, username: id, role, departmentId });
const row = (overrides: Partial<CustomerAccessRow> = {}): CustomerAccessRow => ({
  id: 'c1',
  ownerId: 'sales-1',
  departmentId: 'dept-a',
  status: 'active',
  marketingConsent: 'granted',
  ...overrides,
});

describe('customer visibility', () => {
  it('gives sales their own customers only', () => {
    expect(isVisible(user('sales'), row())).toBe(true);
    expect(isVisible(user('sales', 'sales-2'), row())).toBe(false);
  });

  it('takes a customer from a seller who moved to another department', () => {
    expect(isVisible(user('sales', 'sales-1', 'dept-b'), row())).toBe(false);
  });

  it('shows marketing only customers who granted marketing consent', () => {
    expect(isVisible(user('marketing'), row())).toBe(true);
    expect(isVisible(user('marketing'), row({ marketingConsent: 'unknown' }))).toBe(false);
    expect(isVisible(user('marketing'), row({ marketingConsent: 'withdrawn' }))).toBe(false);
    expect(isVisible(user('service'), row({ marketingConsent: 'withdrawn' }))).toBe(true);
  });

  it('gives a manager their department', () => {
    expect(isVisible(user('manager'), row())).toBe(true);
    expect(isVisible(user('manager', 'm2', 'dept-b'), row())).toBe(false);
  });

  it.each(['admin', 'service', 'marketing', 'auditor'] as const)('lets %s read every active customer', (role) => {
    expect(isVisible(user(role, 'x', 'dept-z'), row())).toBe(true);
    expect(customerScope(user(role))).toEqual({ kind: 'all' });
  });

  it('hides the archive from everyone but managers of the department and admins', () => {
    const dormant = row({ status: 'dormant' });
    expect(isVisible(user('sales'), dormant)).toBe(false);
    expect(isVisible(user('service'), dormant)).toBe(false);
    expect(isVisible(user('auditor'), dormant)).toBe(false);
    expect(isVisible(user('manager'), dormant)).toBe(true);
    expect(isVisible(user('manager', 'm2', 'dept-b'), dormant)).toBe(false);
    expect(isVisible(user('admin'), dormant)).toBe(true);
  });

  it('hides deleted and merged customers from everyone', () => {
    for (const status of ['deleted', 'merged'] as const) {
      expect(isVisible(user('admin'), row({ status }))).toBe(false);
      expect(isVisible(user('sales'), row({ status }))).toBe(false);
    }
  });
});

describe('actions and masking', () => {
  it('lets service record interactions but not change customers; auditors and marketing only read', () => {
    expect(mayDo(user('service'), 'interact')).toBe(true);
    expect(mayDo(user('service'), 'change')).toBe(false);
    expect(mayDo(user('auditor'), 'interact')).toBe(false);
    expect(mayDo(user('marketing'), 'change')).toBe(false);
    expect(mayDo(user('sales'), 'change')).toBe(true);
    expect(mayDo(user('marketing'), 'tag')).toBe(true);
    expect(mayDo(user('service'), 'tag')).toBe(false);
    expect(mayDo(user('auditor'), 'tag')).toBe(false);
  });

  it('masks personal data for service, marketing and auditors', () => {
    expect(['admin', 'manager', 'sales', 'service', 'marketing', 'auditor'].filter((r) => seesMaskedPii(user(r as Role)))).toEqual([
      'service',
      'marketing',
      'auditor',
    ]);
  });

  it('keeps the commercial record from service only', () => {
    expect(['admin', 'manager', 'sales', 'service', 'marketing', 'auditor'].filter((r) => !seesCommercialRecord(user(r as Role)))).toEqual(['service']);
  });

  it('audits unmasked reads by anyone but the owner', () => {
    expect(isAuditedPiiRead(user('sales'), row())).toBe(false);
    expect(isAuditedPiiRead(user('manager'), row())).toBe(true);
    expect(isAuditedPiiRead(user('admin'), row())).toBe(true);
    expect(isAuditedPiiRead(user('service'), row())).toBe(false);
  });
});

describe('lostOwnership', () => {
  const owner = { active: true, role: 'sales' as Role, departmentId: 'dept-a' };
  it('holds while active, in the department and in a role that owns customers', () => {
    expect(lostOwnership(owner, row())).toBeUndefined();
    expect(lostOwnership({ ...owner, role: 'manager' }, row())).toBeUndefined();
  });
  it('names why the owner no longer holds it, deactivation first', () => {
    expect(lostOwnership({ ...owner, active: false, departmentId: 'dept-b' }, row())).toBe('deactivated');
    expect(lostOwnership({ ...owner, departmentId: 'dept-b' }, row())).toBe('moved');
    expect(lostOwnership({ ...owner, role: 'service' }, row())).toBe('role changed');
    expect(lostOwnership({ ...owner, role: 'auditor' }, row())).toBe('role changed');
  });
});

describe('complaint visibility', () => {
  const nobody = { assigneeId: null, escalatedToIds: [] };
  const archived = [row({ status: 'dormant' }), row({ status: 'archived' })];

  it('keeps complaints of archived customers with service, and only them among those who lose the archive', () => {
    for (const customer of archived) {
      expect(isComplaintVisible(user('service', 's9', 'dept-z'), customer, nobody)).toBe(true);
      expect(isComplaintVisible(user('sales'), customer, nobody)).toBe(false);
      expect(isComplaintVisible(user('sales', 'sales-2'), customer, nobody)).toBe(false);
      expect(isComplaintVisible(user('marketing'), customer, nobody)).toBe(false);
      expect(isComplaintVisible(user('auditor'), customer, nobody)).toBe(false);
      expect(isComplaintVisible(user('manager'), customer, nobody)).toBe(true);
      expect(isComplaintVisible(user('manager', 'm2', 'dept-b'), customer, nobody)).toBe(false);
    }
  });

  it('shows a complaint to its assignee and to those it was escalated to, whatever the customer', () => {
    expect(isComplaintVisible(user('sales', 'sales-2'), row({ status: 'dormant' }), { assigneeId: 'sales-2', escalatedToIds: [] })).toBe(true);
    expect(isComplaintVisible(user('sales', 'sales-2'), row(), { assigneeId: 'sales-2', escalatedToIds: [] })).toBe(true);
    expect(isComplaintVisible(user('manager', 'm2', 'dept-b'), row(), { assigneeId: null, escalatedToIds: ['m2'] })).toBe(true);
  });

  it('follows the customer otherwise, and hides deleted and merged customers from everyone', () => {
    expect(isComplaintVisible(user('sales'), row(), nobody)).toBe(true);
    expect(isComplaintVisible(user('sales', 'sales-2'), row(), nobody)).toBe(false);
    for (const status of ['deleted', 'merged'] as const) {
      expect(isComplaintVisible(user('service'), row({ status }), { assigneeId: 'service-1', escalatedToIds: [] })).toBe(false);
    }
  });
});
