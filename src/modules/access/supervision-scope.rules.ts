import type { AuthUser } from '../../common/auth/roles';

/** Who sees supervision figures (data quality, KPIs, review progress): the people the figures are about and those responsible for them. */
export const SUPERVISION_ROLES = ['admin', 'manager', 'sales', 'auditor'] as const;

/**
 * Whether a supervision report may be narrowed to this department and owner: a seller to
 * themselves, a manager to their department and its people, admin and auditor to anyone. The answer
 * names what is out of reach (a 404 for it: another department's ids do not exist for the caller).
 */
export function supervisionFilterOutOfReach(
  caller: AuthUser,
  filter: { departmentId?: string; ownerId?: string; ownerDepartmentId?: string | null },
): 'department' | 'owner' | undefined {
  const everyone = caller.role === 'admin' || caller.role === 'auditor';
  if (filter.departmentId !== undefined && !everyone && filter.departmentId !== caller.departmentId) return 'department';
  if (filter.ownerId !== undefined) {
    if (filter.ownerDepartmentId === null || filter.ownerDepartmentId === undefined) return 'owner';
    if (caller.role === 'sales' && filter.ownerId !== caller.id) return 'owner';
    if (caller.role === 'manager' && filter.ownerDepartmentId !== caller.departmentId) return 'owner';
  }
  return undefined;
}

/**
 * The caller's scope for supervision figures as the people they cover: admin and auditor everyone,
 * a manager their department, a seller themselves in their department (customerScope for these roles).
 */
export function supervisionPeople(caller: AuthUser): { departmentId: string | null; ownerId: string | null } {
  if (caller.role === 'admin' || caller.role === 'auditor') return { departmentId: null, ownerId: null };
  if (caller.role === 'manager') return { departmentId: caller.departmentId, ownerId: null };
  return { departmentId: caller.departmentId, ownerId: caller.id };
}
