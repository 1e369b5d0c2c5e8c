/** Pure rules of reading the audit log: filters, keyset positions (CSV cells: common/http/spreadsheet). */

export const AUDIT_ORDERS = ['newest', 'oldest'] as const;
export type AuditOrder = (typeof AUDIT_ORDERS)[number];

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `customer.update` is exact; `customer.` (ending in a dot) is every action under it. */
export const ACTION_FILTER = /^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/;

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  actionPrefix?: string;
  /** occurred_at >= from */
  from?: string;
  /** occurred_at < to */
  to?: string;
  requestId?: string;
}

/** Where a page or an export resumes: the sort key of the last row seen. */
export interface AuditPosition {
  occurredAt: string;
  id: string;
}

export function actionFilter(action: string | undefined): Pick<AuditFilter, 'action' | 'actionPrefix'> {
  if (action === undefined) return {};
  return action.endsWith('.') ? { actionPrefix: action } : { action };
}

/** A page that audit_entity_index answers: one entity, and no filter that index does not hold. */
export function isEntityPage(filter: AuditFilter): boolean {
  return filter.entityType !== undefined && filter.entityId !== undefined && filter.actorId === undefined && filter.requestId === undefined;
}

/** A LIKE pattern matching everything that starts with `prefix` (its `_` and `%` taken literally). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

/** What is wrong with a time range, if anything: `to` is exclusive, so it must come after `from`. */
export function rangeProblem(from: string | undefined, to: string | undefined): string | undefined {
  if (from === undefined || to === undefined) return undefined;
  return Date.parse(to) > Date.parse(from) ? undefined : 'to must be later than from';
}

/** A cursor is [order, occurredAt, id]; anything else was not issued by us. */
export function positionFromCursor(key: (string | number | null)[], order: AuditOrder): AuditPosition | 'other-order' | undefined {
  const [cursorOrder, occurredAt, id] = key;
  if (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt)) || typeof id !== 'string' || !/^\d{1,19}$/.test(id)) {
    return undefined;
  }
  return cursorOrder === order ? { occurredAt, id } : 'other-order';
}
