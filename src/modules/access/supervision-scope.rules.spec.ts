import type { AuthUser } from '../../common/auth/roles';
import { supervisionFilterOutOfReach, supervisionPeople } from './supervision-scope.rules';

const user = (role: AuthUser['role'], id = 'me', departmentId = 'east'): AuthUser => ({ id, username: id, role, departmentId });

describe('supervisionFilterOutOfReach', () => {
  it('a seller reaches only themselves, in their department', () => {
    expect(supervisionFilterOutOfReach(user('sales'), { ownerId: 'me', ownerDepartmentId: 'east' })).toBeUndefined();
    expect(supervisionFilterOutOfReach(user('sales'), { ownerId: 'colleague', ownerDepartmentId: 'east' })).toBe('owner');
    expect(supervisionFilterOutOfReach(user('sales'), { departmentId: 'west' })).toBe('department');
  });

  it('a manager reaches their department and its people', () => {
    expect(supervisionFilterOutOfReach(user('manager'), { departmentId: 'east', ownerId: 'colleague', ownerDepartmentId: 'east' })).toBeUndefined();
    expect(supervisionFilterOutOfReach(user('manager'), { ownerId: 'stranger', ownerDepartmentId: 'west' })).toBe('owner');
    expect(supervisionFilterOutOfReach(user('manager'), { departmentId: 'west' })).toBe('department');
  });

  it('admin and auditor reach everyone; an unknown owner is out of everyone\'s reach', () => {
    expect(supervisionFilterOutOfReach(user('auditor'), { departmentId: 'west', ownerId: 'x', ownerDepartmentId: 'west' })).toBeUndefined();
    expect(supervisionFilterOutOfReach(user('admin'), { ownerId: 'ghost', ownerDepartmentId: null })).toBe('owner');
  });
});

describe('supervisionPeople', () => {
  it('everyone for admin and auditor, the department for a manager, oneself for a seller', () => {
    expect(supervisionPeople(user('auditor'))).toEqual({ departmentId: null, ownerId: null });
    expect(supervisionPeople(user('manager'))).toEqual({ departmentId: 'east', ownerId: null });
    expect(supervisionPeople(user('sales'))).toEqual({ departmentId: 'east', ownerId: 'me' });
  });
});
