import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { ComplaintsService } from './complaints.service';

/** The escalation sweep, every minute, once across instances. */
@Injectable()
export class EscalationJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly complaints: ComplaintsService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: 'complaints.escalation-sweep',
      everySeconds: 60,
      run: async () => {
        const result = await this.complaints.sweep();
        return { breached: result.breached.length, followUpOverdue: result.followUpOverdue.length };
      },
    });
  }
}
