import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { DataQualityService } from './data-quality.service';

/** Keeps data-quality results current: every minute, once across instances (so at most a few minutes stale). */
@Injectable()
export class DataQualityJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly dataQuality: DataQualityService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'data-quality.recompute', everySeconds: 60, run: async () => ({ ...(await this.dataQuality.recompute()) }) });
  }
}
