export { AccessModule } from './access.module';
export { CustomerAccess } from './customer-access.service';
export type { ListScopeSql } from './customer-access.service';
export { COMMERCIAL_FIELDS, isAuditedPiiRead, lostOwnership, OWNER_ROLES, seesCommercialRecord, seesMaskedPii } from './access.rules';
export type { CommercialField, LostOwnershipReason } from './access.rules';
export type { CustomerAccessRow, CustomerAction } from './access.rules';
export { tagIdsIn, viewHistoryEntry } from './history-view.rules';
export { SUPERVISION_ROLES, supervisionFilterOutOfReach, supervisionPeople } from './supervision-scope.rules';
