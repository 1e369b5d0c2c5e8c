import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { AuditLogService } from './audit-log.service';

/** Daily, once across instances: the audit log's partitions for the coming months. */
@Injectable()
export class AuditPartitionsJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly auditLog: AuditLogService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'audit.partitions-ahead', everySeconds: 24 * 60 * 60, run: () => this.auditLog.preparePartitions() });
  }
}
