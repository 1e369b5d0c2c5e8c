export { AccessModule } from './access.module';
export { CustomerAccess } from './customer-access.service';
export type { ListScopeSql } from './customer-access.service';
export { isAuditedPiiRead, seesMaskedPii } from './access.rules';
export type { CustomerAccessRow, CustomerAction } from './access.rules';
