export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export type { AuditEntry } from './audit.service';
export type { EntityRefs, HistoryRow } from './audit.repository';
export { LongReadSlots } from './long-read-slots';
export { AuditQueueFlusher } from './audit-queue.flusher';
