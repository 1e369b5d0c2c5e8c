export const ROLES = ['admin', 'manager', 'sales', 'service', 'marketing', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, loaded from the database on every request (so deactivation and role changes apply at once). */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  departmentId: string;
}
