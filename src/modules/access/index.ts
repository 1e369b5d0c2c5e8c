export { AccessModule } from './access.module';
export { CustomerAccess } from './customer-access.service';
export type { ListScopeSql } from './customer-access.service';
export { COMMERCIAL_FIELDS, isAuditedPiiRead, seesCommercialRecord, seesMaskedPii } from './access.rules';
export type { CommercialField } from './access.rules';
export type { CustomerAccessRow, CustomerAction } from './access.rules';
