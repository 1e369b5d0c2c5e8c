import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { AuthService } from './auth.service';

/** Hourly, once across instances: login attempts older than the window are forgotten. */
@Injectable()
export class LoginAttemptsJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly auth: AuthService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'auth.login-attempts-prune', everySeconds: 60 * 60, run: async () => ({ removed: await this.auth.pruneAttempts() }) });
  }
}
