import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError } from '../../common/errors/domain-error';
import {
  canSeeArchive,
  ComplaintPeople,
  CustomerAccessRow,
  CustomerAction,
  customerScope,
  inScope,
  isComplaintVisible,
  isOpportunityVisible,
  isRequestVisible,
  RequestPeople,
  isVisible,
  mayDo,
  needsMarketingConsent,
  reachesArchiveForComplaints,
} from './access.rules';
import { CustomerAccessRepository } from './customer-access.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ListScopeSql {
  /** A predicate over the customers table aliased as given; empty params when it is TRUE. */
  where: string;
  params: Record<string, unknown>;
  /**
   * When given: disjoint predicates (same params) whose union is `where`, each served by an index of
   * its own. A list may run one query per branch (UNION ALL) where one OR would defeat the indexes.
   */
  branches?: string[];
  /** When true: the predicates name only the record's own columns (no customers alias): a list need not join customers. */
  complaintOnly?: boolean;
}

/**
 * The one place that decides which customers a caller may see and change. Every module asks it:
 * by id (404 when not visible, so existence never leaks) or as SQL for lists.
 */
@Injectable()
export class CustomerAccess {
  constructor(private readonly customers: CustomerAccessRepository) {}

  /** The customer, if the caller may do `action` on it: 404 when they cannot see it, 403 when they see it but may not act. */
  async require(caller: AuthUser, customerId: string, action: CustomerAction = 'read', field?: string): Promise<CustomerAccessRow> {
    return this.decide(caller, customerId, action, field, (row) => isVisible(caller, row));
  }

  /**
   * For filing a complaint: as `require(…, 'interact')`, except that service also reaches an
   * archived customer (the complaint reopens the relationship; the caller reactivates it).
   */
  async requireToFileComplaint(caller: AuthUser, customerId: string, field: string): Promise<CustomerAccessRow> {
    const archived = (row: CustomerAccessRow) => row.status === 'dormant' || row.status === 'archived';
    return this.decide(caller, customerId, 'interact', field, (row) => isVisible(caller, row) || (reachesArchiveForComplaints(caller) && archived(row)));
  }

  /** For one complaint: who sees it (see isComplaintVisible); "not found" names the complaint. */
  async requireComplaint(caller: AuthUser, customerId: string, people: ComplaintPeople): Promise<CustomerAccessRow> {
    try {
      return await this.decide(caller, customerId, 'read', undefined, (row) => isComplaintVisible(caller, row, people));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND', 'Complaint was not found');
      throw error;
    }
  }

  /** For one request: who sees it (see isRequestVisible); "not found" names the request. */
  async requireRequest(caller: AuthUser, customerId: string, people: RequestPeople): Promise<CustomerAccessRow> {
    try {
      return await this.decide(caller, customerId, 'read', undefined, (row) => isRequestVisible(caller, row, people));
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'NOT_FOUND' || error.code === 'CUSTOMER_MERGED')) throw new DomainError('NOT_FOUND', 'Request was not found');
      throw error;
    }
  }

  /** For one opportunity: who sees it (see isOpportunityVisible); "not found" names the opportunity. */
  async requireOpportunity(caller: AuthUser, customerId: string, opportunity: { ownerId: string; departmentId: string }, action: CustomerAction): Promise<CustomerAccessRow> {
    try {
      return await this.decide(caller, customerId, action, undefined, (row) => isOpportunityVisible(caller, row, opportunity));
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'NOT_FOUND' || error.code === 'CUSTOMER_MERGED')) throw new DomainError('NOT_FOUND', 'Opportunity was not found');
      throw error;
    }
  }

  /**
   * Opportunities the caller sees, as SQL over `customerAlias` (customers) and `opportunityAlias`
   * (opportunities): the list form of isOpportunityVisible.
   */
  opportunityScope(caller: AuthUser, customerAlias: string, opportunityAlias: string): ListScopeSql {
    const base = this.listScope(caller, customerAlias, ['active', 'dormant', 'archived']);
    if (caller.role === 'admin' || caller.role === 'auditor' || caller.role === 'marketing' || caller.role === 'service') return base;
    // Both halves lie in the caller's department, and an opportunity's department is always its
    // customer's: saying so up front lets the list walk ix_opportunities_department.
    return {
      where:
        `${opportunityAlias}.department_id = CAST(:scopeMyDepartment AS uuid) AND ` +
        `((${base.where}) OR (${customerAlias}.status = 'active' AND ${opportunityAlias}.owner_id = CAST(:scopeMe AS uuid)))`,
      params: { ...base.params, scopeMe: caller.id, scopeMyDepartment: caller.departmentId },
    };
  }

  /**
   * Requests the caller sees, as SQL over `customerAlias` (customers) and `requestAlias` (requests):
   * the list form of isRequestVisible.
   */
  requestScope(caller: AuthUser, customerAlias: string, requestAlias: string): ListScopeSql {
    const base = this.listScope(caller, customerAlias, ['active', 'dormant', 'archived']);
    if (caller.role === 'admin' || caller.role === 'auditor' || caller.role === 'marketing') return base;
    return {
      where:
        `((${base.where}) OR (${customerAlias}.status IN ('active', 'dormant', 'archived') AND ` +
        `(${requestAlias}.assignee_id = CAST(:scopeMe AS uuid) OR CAST(:scopeMe AS uuid) = ANY(${requestAlias}.escalated_to_ids) ` +
        `OR ${requestAlias}.department_id = CAST(:scopeMyDepartment AS uuid))))`,
      params: { ...base.params, scopeMe: caller.id, scopeMyDepartment: caller.departmentId },
    };
  }

  /**
   * The same decision as `require(caller, id, 'read')`, on a customer row the caller already read
   * (a read by id that fetched it together with the user, in one statement).
   */
  decideRead(caller: AuthUser, row: CustomerAccessRow | undefined): CustomerAccessRow {
    return this.decideOn(caller, row, 'read', undefined, (r) => isVisible(caller, r));
  }

  private async decide(caller: AuthUser, customerId: string, action: CustomerAction, field: string | undefined, visible: (row: CustomerAccessRow) => boolean): Promise<CustomerAccessRow> {
    // Reads take no lock: only a change needs the decision to hold until it commits.
    const row = UUID.test(customerId) ? await this.customers.find(customerId, action !== 'read') : undefined;
    return this.decideOn(caller, row, action, field, visible);
  }

  private decideOn(caller: AuthUser, row: CustomerAccessRow | undefined, action: CustomerAction, field: string | undefined, visible: (row: CustomerAccessRow) => boolean): CustomerAccessRow {
    if (row?.status === 'merged' && inScope(customerScope(caller), row) && !(needsMarketingConsent(caller) && row.marketingConsent !== 'granted')) {
      throw new DomainError('CUSTOMER_MERGED', 'The customer was merged into another one', { mergedInto: row.mergedIntoId });
    }
    if (!row || !visible(row)) {
      throw new DomainError('NOT_FOUND', 'Customer was not found', field ? { errors: [{ field, message: `${field} does not name a customer you can see` }] } : {});
    }
    if (!mayDo(caller, action)) throw new DomainError('FORBIDDEN', 'Your role may not do this to a customer');
    return row;
  }

  /**
   * For a record that belongs to a customer (a contact, a complaint, an interaction): the same
   * decision, but "not found" names the record, which does not exist for those who cannot see its customer.
   */
  async requireThrough(caller: AuthUser, customerId: string, action: CustomerAction, what: string): Promise<CustomerAccessRow> {
    try {
      return await this.require(caller, customerId, action);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND', `${what} was not found`);
      throw error;
    }
  }

  /** The subset of ids the caller may do `action` on, for bulk operations. */
  async filter(caller: AuthUser, ids: string[], action: CustomerAction): Promise<Map<string, CustomerAccessRow>> {
    if (!mayDo(caller, action)) return new Map();
    const rows = await this.customers.findMany(ids.filter((id) => UUID.test(id)));
    return new Map(rows.filter((row) => isVisible(caller, row)).map((row) => [row.id, row]));
  }

  /**
   * The caller's scope as SQL over `alias` (the customers table). `statuses` are the ones the list
   * asked for; the archive statuses are dropped unless the caller may see the archive.
   */
  listScope(caller: AuthUser, alias: string, statuses: readonly string[]): ListScopeSql {
    return this.scopeSql(caller, alias, canSeeArchive(caller) ? statuses : statuses.filter((s) => s === 'active'));
  }

  /**
   * Complaints the caller sees, as SQL over `customerAlias` (customers) and `complaintAlias`
   * (complaints): the list form of isComplaintVisible.
   */
  complaintScope(caller: AuthUser, customerAlias: string, complaintAlias: string): ListScopeSql {
    const statuses = ['active', 'dormant', 'archived'];
    const base = reachesArchiveForComplaints(caller) ? this.scopeSql(caller, customerAlias, statuses) : this.listScope(caller, customerAlias, statuses);
    // Admins see every live customer's complaint: on the complaint's copy of the customer's status
    // (complaints.customer_status, kept by the database), so the list reads no customer.
    if (caller.role === 'admin') {
      return { where: `${complaintAlias}.customer_status IN (:...scopeStatuses)`, params: { scopeStatuses: statuses }, complaintOnly: true };
    }
    // Auditors and marketing are never assignees or recipients.
    if (caller.role === 'auditor' || caller.role === 'marketing') return base;
    const scope = customerScope(caller);
    if (scope.kind === 'department' && canSeeArchive(caller) && !needsMarketingConsent(caller)) {
      // A manager: the department's complaints (complaints.department_id is always the customer's,
      // kept so by the database), or those addressed to the manager (assignee, escalated to) in
      // another department (complaints.reach_elsewhere, kept likewise); in both, a live customer.
      // The same set as the general form below, as two disjoint branches, each index-served:
      // ix_complaints_department(_open) and ix_complaints_reach_elsewhere.
      // The customer is live: the complaint's copy of its status (complaints.customer_status, kept likewise).
      const live = `${complaintAlias}.customer_status IN (:...scopeStatuses)`;
      const department = `${live} AND ${complaintAlias}.department_id = CAST(:scopeDepartmentId AS uuid)`;
      // Looked up on its own first, then those rows fetched by their address (ctid: the same snapshot,
      // so the same row versions) and the other conditions checked on them. As a plain condition the
      // planner intersects it with other indexes (reading, say, every open complaint's deadline).
      const elsewhere =
        `${live} AND ${complaintAlias}.ctid = ANY(ARRAY(SELECT e.ctid FROM complaints e ` +
        `WHERE e.reach_elsewhere <> '{}' AND e.reach_elsewhere @> ARRAY[CAST(:scopeMe AS uuid)]))`;
      return {
        where: `((${department}) OR (${elsewhere}))`,
        params: { scopeStatuses: statuses, scopeDepartmentId: scope.departmentId, scopeMe: caller.id },
        branches: [department, elsewhere],
        complaintOnly: true,
      };
    }
    return {
      where:
        `((${base.where}) OR (${customerAlias}.status IN ('active', 'dormant', 'archived') AND ` +
        `(${complaintAlias}.assignee_id = CAST(:scopeMe AS uuid) OR CAST(:scopeMe AS uuid) = ANY(${complaintAlias}.escalated_to_ids))))`,
      params: { ...base.params, scopeMe: caller.id },
    };
  }

  /**
   * For figures (KPIs): the caller's customers in every live status, the archive included, since a
   * count shows no record. Lists of records use listScope.
   */
  figureScope(caller: AuthUser, alias: string): ListScopeSql {
    return this.scopeSql(caller, alias, ['active', 'dormant', 'archived']);
  }

  private scopeSql(caller: AuthUser, alias: string, visible: readonly string[]): ListScopeSql {
    const parts = [visible.length > 0 ? `${alias}.status IN (:...scopeStatuses)` : 'FALSE'];
    const params: Record<string, unknown> = { scopeStatuses: visible };
    const scope = customerScope(caller);
    if (scope.kind === 'department') {
      parts.push(`${alias}.department_id = :scopeDepartmentId`);
      params.scopeDepartmentId = scope.departmentId;
    } else if (scope.kind === 'owner') {
      parts.push(`${alias}.owner_id = :scopeOwnerId`, `${alias}.department_id = :scopeDepartmentId`);
      params.scopeOwnerId = scope.ownerId;
      params.scopeDepartmentId = scope.departmentId;
    }
    if (needsMarketingConsent(caller)) parts.push(`${alias}.marketing_consent = 'granted'`);
    return { where: parts.join(' AND '), params };
  }
}
