import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { RequestsService } from './requests.service';

/** The response-clock sweep, every minute, once across instances. */
@Injectable()
export class ResponseClockJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly requests: RequestsService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: 'requests.response-clock-sweep',
      everySeconds: 60,
      run: async () => {
        const r = await this.requests.sweep();
        return { firstResponse: r.firstResponse.length, expectedAnswer: r.expectedAnswer.length, progress: r.progress.length, satisfaction: r.satisfaction.length };
      },
    });
  }
}
