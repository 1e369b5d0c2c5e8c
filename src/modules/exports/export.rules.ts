import type { AuthUser, Role } from '../../common/auth/roles';
import { spreadsheetSafe } from '../../common/http/spreadsheet';
import { COMMERCIAL_FIELDS, seesCommercialRecord } from '../access';

/** Who decides an export: someone responsible for all the data in it. */
export type ExportApprover = { kind: 'department_manager'; departmentId: string } | { kind: 'admin' };

/** Roles whose own list is part of one department: their department's manager answers for it. */
const DEPARTMENT_BOUND: readonly Role[] = ['manager', 'sales'];

/**
 * A department's manager is responsible only for their own department's customers, asked for by
 * someone of that department whose list lies inside it (a manager, a sales rep). Anything else (a
 * company-wide list, another department, a request by service, marketing, auditor or an admin)
 * reaches beyond one manager's responsibility and goes to an admin.
 */
export function exportApprover(requester: Pick<AuthUser, 'role' | 'departmentId'>, filter: { departmentId?: string }): ExportApprover {
  const ownDepartment = filter.departmentId === undefined || filter.departmentId === requester.departmentId;
  if (DEPARTMENT_BOUND.includes(requester.role) && ownDepartment) return { kind: 'department_manager', departmentId: requester.departmentId };
  return { kind: 'admin' };
}

/** What the request was checked against; approval and download need it unchanged. */
export interface RequesterAtRequest {
  requesterRole: Role;
  requesterDepartmentId: string;
}

/** Why the requester no longer is who asked, or undefined when they still are. */
export function requesterChange(record: RequesterAtRequest, now: Pick<AuthUser, 'role' | 'departmentId'> & { active?: boolean }): string | undefined {
  if (now.active === false) return 'The requester was deactivated after asking for the export';
  if (now.role !== record.requesterRole) return `The requester's role changed from ${record.requesterRole} to ${now.role} after asking for the export`;
  if (now.departmentId !== record.requesterDepartmentId) return "The requester's department changed after asking for the export";
  return undefined;
}

const BASE_COLUMNS = [
  'id', 'name', 'shortName', 'kind', 'industry', 'scale', 'source', 'stage', 'importance', 'status', 'ownerId', 'departmentId',
  'tierId', 'marketingConsent', 'tags', 'lastInteractionAt', 'nextFollowUpAt', 'primaryContact', 'mobile', 'email', 'wechatId',
] as const;

/** The CSV's columns for this reader: the commercial record only for roles that receive it (not 客服). */
export function exportColumns(reader: Pick<AuthUser, 'role'>): string[] {
  return seesCommercialRecord(reader) ? [...BASE_COLUMNS, ...COMMERCIAL_FIELDS] : [...BASE_COLUMNS];
}

/** One value as CSV text: dates in ISO 8601, objects as JSON (empty ones blank), then the formula guard. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return spreadsheetSafe(value.toISOString());
  if (typeof value === 'object') return Object.keys(value).length === 0 ? '' : spreadsheetSafe(JSON.stringify(value));
  return spreadsheetSafe(String(value));
}

/** The record for `columns` only (a column the reader may not receive is never read), every cell guarded. */
export function csvRecord(values: Record<string, unknown>, columns: readonly string[]): Record<string, string> {
  return Object.fromEntries(columns.map((column) => [column, csvCell(values[column])]));
}
