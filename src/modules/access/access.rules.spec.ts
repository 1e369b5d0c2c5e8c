import type { AuthUser, Role } from '../../common/auth/roles';
import { CustomerAccessRow, customerScope, isAuditedPiiRead, isVisible, mayDo, seesMaskedPii } from './access.rules';

const user = (role: Role, id = `${role}-1`, departmentId = 'dept-a'): AuthUser => ({ id, username: id, role, departmentId });
const row = (overrides: Partial<CustomerAccessRow> = {}): CustomerAccessRow => ({
  id: 'c1',
  ownerId: 'sales-1',
  departmentId: 'dept-a',
  status: 'active',
  ...overrides,
});

describe('customer visibility', () => {
  it('gives sales their own customers only', () => {
    expect(isVisible(user('sales'), row())).toBe(true);
    expect(isVisible(user('sales', 'sales-2'), row())).toBe(false);
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

  it('audits unmasked reads by anyone but the owner', () => {
    expect(isAuditedPiiRead(user('sales'), row())).toBe(false);
    expect(isAuditedPiiRead(user('manager'), row())).toBe(true);
    expect(isAuditedPiiRead(user('admin'), row())).toBe(true);
    expect(isAuditedPiiRead(user('service'), row())).toBe(false);
  });
});
