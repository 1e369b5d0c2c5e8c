export { AuditModule } from './audit.module';
export { AuditService, AuditEntry } from './audit.service';
