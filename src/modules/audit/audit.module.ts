import { Global, Module } from '@nestjs/common';
import { AuditLogService } from './audit-log.service';
import { AuditPartitionsJob } from './audit-partitions.job';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { LongReadSlots } from './long-read-slots';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, AuditLogService, LongReadSlots, AuditPartitionsJob],
  exports: [AuditService, LongReadSlots],
})
export class AuditModule {}
