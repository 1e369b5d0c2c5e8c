import type { AuthUser, Role } from '../../common/auth/roles';

/** Which customers a caller may see, as data: turned into SQL for lists, checked in memory for one row. */
export type CustomerScope =
  | { kind: 'all' }
  | { kind: 'department'; departmentId: string }
  /** A seller holds a customer while both are in the same department: one who moved keeps nothing. */
  | { kind: 'owner'; ownerId: string; departmentId: string };

/** What an access check needs to know about a customer. */
export interface CustomerAccessRow {
  id: string;
  ownerId: string;
  departmentId: string;
  status: 'active' | 'dormant' | 'archived' | 'deleted' | 'merged';
  marketingConsent: 'unknown' | 'granted' | 'withdrawn';
  /** Set when merged: the customer it lives on in. */
  mergedIntoId?: string | null;
}

export type CustomerAction =
  /** read the record (masked for some roles) */
  | 'read'
  /** change the record, its contacts, consent */
  | 'change'
  /** record an interaction (客服 may, on any customer) */
  | 'interact'
  /** add or remove tags (市场部 may) */
  | 'tag';

const READ_ALL: readonly Role[] = ['admin', 'service', 'marketing', 'auditor'];
const CHANGERS: readonly Role[] = ['admin', 'manager', 'sales'];
const MASKED: readonly Role[] = ['service', 'marketing', 'auditor'];
/** Roles that may own customers (负责人). */
export const OWNER_ROLES: readonly Role[] = ['sales', 'manager', 'admin'];

export function customerScope(caller: AuthUser): CustomerScope {
  if (READ_ALL.includes(caller.role)) return { kind: 'all' };
  if (caller.role === 'manager') return { kind: 'department', departmentId: caller.departmentId };
  return { kind: 'owner', ownerId: caller.id, departmentId: caller.departmentId };
}

/** 市场部 sees only customers who granted marketing consent, by list and by id alike. */
export function needsMarketingConsent(caller: Pick<AuthUser, 'role'>): boolean {
  return caller.role === 'marketing';
}

export type LostOwnershipReason = 'deactivated' | 'moved' | 'role changed';

/**
 * Why the recorded owner no longer holds the customer (离职继承), or undefined while they do:
 * deactivated, moved to another department, or now in a role that cannot own customers.
 */
export function lostOwnership(
  owner: { active: boolean; role: Role; departmentId: string },
  customer: Pick<CustomerAccessRow, 'departmentId'>,
): LostOwnershipReason | undefined {
  if (!owner.active) return 'deactivated';
  if (owner.departmentId !== customer.departmentId) return 'moved';
  if (!OWNER_ROLES.includes(owner.role)) return 'role changed';
  return undefined;
}

/** The archive (dormant and archived customers) is for managers (their department) and admins only. */
export function canSeeArchive(caller: AuthUser): boolean {
  return caller.role === 'admin' || caller.role === 'manager';
}

/**
 * Complaints outlive the relationship (issue 12): 客服 keeps seeing the complaints of archived
 * customers and may file one for them (which reactivates the customer). Nobody else reaches the
 * archive through complaints.
 */
export function reachesArchiveForComplaints(caller: Pick<AuthUser, 'role'>): boolean {
  return caller.role === 'service';
}

/** The people a complaint is addressed to: its assignee and everyone it was escalated to. */
export interface ComplaintPeople {
  assigneeId: string | null;
  escalatedToIds: readonly string[];
}

/**
 * Whether the caller sees a complaint of this customer: whoever sees the customer; service also when
 * the customer is archived; and the complaint's assignee and escalation recipients, whatever the
 * customer's status, since it is their work. Deleted and merged customers' complaints: nobody.
 */
export function isComplaintVisible(caller: AuthUser, row: CustomerAccessRow, people: ComplaintPeople): boolean {
  if (row.status === 'deleted' || row.status === 'merged') return false;
  if (people.assigneeId === caller.id || people.escalatedToIds.includes(caller.id)) return true;
  if (reachesArchiveForComplaints(caller) && (row.status === 'dormant' || row.status === 'archived')) return true;
  return isVisible(caller, row);
}

/** Who a request is addressed to: a person or a department queue (never both), and whoever a breach went to. */
export interface RequestPeople {
  assigneeId: string | null;
  departmentId: string | null;
  escalatedToIds: readonly string[];
}

/** Roles that work a department's request queue (issue 15). */
const REQUEST_QUEUE_ROLES: readonly Role[] = ['manager', 'sales', 'service'];

/**
 * Whether the caller sees a request of this customer: whoever sees the customer, and, whatever
 * the customer's status, the request's assignee, those its breach was escalated to, and the
 * managers, sellers and service staff of the department whose queue holds it. Deleted and merged
 * customers' requests: nobody.
 */
export function isRequestVisible(caller: AuthUser, row: CustomerAccessRow, people: RequestPeople): boolean {
  if (row.status === 'deleted' || row.status === 'merged') return false;
  if (people.assigneeId === caller.id || people.escalatedToIds.includes(caller.id)) return true;
  if (people.departmentId !== null && people.departmentId === caller.departmentId && REQUEST_QUEUE_ROLES.includes(caller.role)) return true;
  return isVisible(caller, row);
}

/**
 * Whether the caller sees an opportunity of this customer: whoever sees the customer, and its own
 * owner (a member of the customer's department a manager named) while the customer is active and
 * they are still in that department. Deleted and merged customers' opportunities: nobody.
 */
export function isOpportunityVisible(caller: AuthUser, row: CustomerAccessRow, opportunity: { ownerId: string; departmentId: string }): boolean {
  if (row.status === 'deleted' || row.status === 'merged') return false;
  if (opportunity.ownerId === caller.id && opportunity.departmentId === caller.departmentId && row.status === 'active') return true;
  return isVisible(caller, row);
}

export function inScope(scope: CustomerScope, row: Pick<CustomerAccessRow, 'ownerId' | 'departmentId'>): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'department':
      return row.departmentId === scope.departmentId;
    case 'owner':
      return row.ownerId === scope.ownerId && row.departmentId === scope.departmentId;
  }
}

export function isVisible(caller: AuthUser, row: CustomerAccessRow): boolean {
  if (row.status === 'deleted' || row.status === 'merged') return false;
  if (needsMarketingConsent(caller) && row.marketingConsent !== 'granted') return false;
  return inScope(customerScope(caller), row) && (row.status === 'active' || canSeeArchive(caller));
}

/**
 * Whether a caller who can see the customer may also do `action` on it. Not visible is always
 * "not found"; visible but not allowed is "forbidden".
 */
export function mayDo(caller: AuthUser, action: CustomerAction): boolean {
  if (action === 'read') return true;
  if (action === 'interact' && caller.role === 'service') return true;
  if (action === 'tag' && caller.role === 'marketing') return true;
  return CHANGERS.includes(caller.role);
}

/**
 * The commercial record (needs, notes, revenue, credit code, cooperation start, potential score):
 * 客服 handles communication and complaints and does not receive it (seed 001 §1, DOMAIN).
 */
export const COMMERCIAL_FIELDS = ['needs', 'notes', 'annualRevenue', 'creditCode', 'cooperationSince', 'potentialScore'] as const;
export type CommercialField = (typeof COMMERCIAL_FIELDS)[number];

export function seesCommercialRecord(caller: Pick<AuthUser, 'role'>): boolean {
  return caller.role !== 'service';
}

/** Roles that see personal data (mobile, e-mail, WeChat id) masked. */
export function seesMaskedPii(caller: AuthUser): boolean {
  return MASKED.includes(caller.role);
}

/** An unmasked read of personal data by anyone but the owner is itself audited (pii.read). */
export function isAuditedPiiRead(caller: AuthUser, row: Pick<CustomerAccessRow, 'ownerId'>): boolean {
  return !seesMaskedPii(caller) && caller.id !== row.ownerId;
}
