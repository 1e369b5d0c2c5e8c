import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { ReviewsService } from './reviews.service';

/** Opens departments' scheduled review rounds: every 5 minutes, once across instances. */
@Injectable()
export class ReviewSchedulesJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly reviews: ReviewsService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'reviews.scheduled-rounds', everySeconds: 5 * 60, run: async () => ({ ...(await this.reviews.runSchedules()) }) });
  }
}
