import { csvCell, csvRecord, exportApprover, exportColumns, requesterChange } from './export.rules';

describe('exportApprover', () => {
  const east = 'east-id';
  it.each([
    ['manager', undefined, 'department_manager'],
    ['manager', east, 'department_manager'],
    ['manager', 'west-id', 'admin'],
    ['sales', undefined, 'department_manager'],
    ['sales', east, 'department_manager'],
    ['sales', 'west-id', 'admin'],
    ['service', undefined, 'admin'],
    ['service', east, 'admin'],
    ['marketing', east, 'admin'],
    ['auditor', east, 'admin'],
    ['admin', east, 'admin'],
    ['admin', undefined, 'admin'],
  ] as const)('%s with departmentId %s goes to %s', (role, departmentId, kind) => {
    const approver = exportApprover({ role, departmentId: east }, { departmentId });
    expect(approver).toEqual(kind === 'admin' ? { kind } : { kind, departmentId: east });
  });
});

describe('requesterChange', () => {
  const asked = { requesterRole: 'sales' as const, requesterDepartmentId: 'east' };
  it('is silent while the requester is who asked', () => {
    expect(requesterChange(asked, { role: 'sales', departmentId: 'east', active: true })).toBeUndefined();
  });
  it('names a change of role, department or activity', () => {
    expect(requesterChange(asked, { role: 'service', departmentId: 'east' })).toMatch(/role changed from sales to service/);
    expect(requesterChange(asked, { role: 'sales', departmentId: 'west' })).toMatch(/department changed/);
    expect(requesterChange(asked, { role: 'sales', departmentId: 'east', active: false })).toMatch(/deactivated/);
  });
});

describe('exportColumns', () => {
  it('leaves the commercial record out for service only', () => {
    expect(exportColumns({ role: 'service' })).not.toEqual(expect.arrayContaining(['notes']));
    for (const field of ['needs', 'notes', 'annualRevenue', 'creditCode', 'cooperationSince', 'potentialScore']) {
      expect(exportColumns({ role: 'service' })).not.toContain(field);
      expect(exportColumns({ role: 'sales' })).toContain(field);
      expect(exportColumns({ role: 'marketing' })).toContain(field);
    }
  });
});

describe('csvCell and csvRecord', () => {
  it('guards every kind of value against formulas', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell(-5)).toBe("'-5");
    expect(csvCell({ purchaseIntent: 'x' })).toBe('{"purchaseIntent":"x"}');
    expect(csvCell({})).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2026-11-22T10:00:00.000Z'))).toBe('2026-11-22T10:00:00.000Z');
    expect(csvCell(true)).toBe('true');
  });
  it('reads only the columns given', () => {
    expect(csvRecord({ name: '@x', notes: 'secret' }, ['name'])).toEqual({ name: "'@x" });
  });
});
