import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { AttachmentsService } from './attachments.service';

/** Hourly, once across instances: the rows and chunks of uploads an instance died in the middle of. */
@Injectable()
export class AbandonedUploadsJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'attachments.abandoned-uploads', everySeconds: 60 * 60, run: async () => ({ removed: await this.attachments.removeAbandonedUploads() }) });
  }
}
