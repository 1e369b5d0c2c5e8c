import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { CustomersService } from './customers.service';

/** The daily dormancy sweep (休眠), once across instances. */
@Injectable()
export class DormancyJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly customers: CustomersService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'customers.dormancy-sweep', everySeconds: 24 * 60 * 60, run: () => this.customers.sweepDormancy() });
  }
}
