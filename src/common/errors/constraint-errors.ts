import { DomainError } from './domain-error';

/**
 * The database backs every uniqueness and reference rule; this is the one place its
 * violations become domain errors (by constraint name).
 */
const BY_CONSTRAINT: Record<string, () => DomainError> = {
  uq_users_username: () =>
    new DomainError('USERNAME_TAKEN', 'username is already taken', {
      errors: [{ field: 'username', message: 'username is already taken' }],
    }),
  uq_departments_name: () =>
    new DomainError('DEPARTMENT_NAME_TAKEN', 'a department with this name already exists', {
      errors: [{ field: 'name', message: 'name is already used by another department' }],
    }),
  uq_tiers_code: () =>
    new DomainError('CONFLICT', 'a tier with this code exists', { errors: [{ field: 'code', message: 'code is already used by another tier' }] }),
  uq_tiers_rank: () =>
    new DomainError('CONFLICT', 'a tier with this rank exists', { errors: [{ field: 'rank', message: 'rank is already used by another tier' }] }),
  uq_tag_groups_name: () =>
    new DomainError('TAG_NAME_TAKEN', 'a tag group with this name exists', { errors: [{ field: 'name', message: 'name is already used by another group' }] }),
  uq_tags_name: () =>
    new DomainError('TAG_NAME_TAKEN', 'a tag with this name exists in the group', { errors: [{ field: 'name', message: 'name is already used in this group' }] }),
  fk_users_department: () =>
    new DomainError('DEPARTMENT_NOT_FOUND', 'departmentId does not name an existing department', {
      errors: [{ field: 'departmentId', message: 'departmentId does not name an existing department' }],
    }),
};

/** The constraint a unique violation hit, for services that answer it with more than a fixed error. */
export function uniqueViolation(error: unknown): string | undefined {
  const driverError = (error as { driverError?: PgError } | null)?.driverError ?? (error as PgError | null);
  return driverError?.code === '23505' ? driverError.constraint : undefined;
}

interface PgError {
  code?: string;
  constraint?: string;
}

export function domainErrorFromDatabase(error: unknown): DomainError | undefined {
  const driverError = (error as { driverError?: PgError } | null)?.driverError ?? (error as PgError | null);
  if (!driverError || typeof driverError !== 'object') return undefined;
  const mapped = driverError.constraint ? BY_CONSTRAINT[driverError.constraint] : undefined;
  if (mapped && (driverError.code === '23505' || driverError.code === '23503')) return mapped();
  if (driverError.code === '40001' || driverError.code === '40P01') {
    return new DomainError('CONFLICT', 'A concurrent change got in the way; retry the request');
  }
  return undefined;
}
