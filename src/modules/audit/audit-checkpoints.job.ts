import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { AuditCheckpointsService } from './audit-checkpoints.service';

/** Hourly, once across instances: a signed checkpoint of the audit chain's head. */
@Injectable()
export class AuditCheckpointsJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'audit.checkpoint', everySeconds: 60 * 60, run: () => this.checkpoints.signScheduledCheckpoint() });
  }
}
