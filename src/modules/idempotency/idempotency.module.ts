import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';
import { IdempotencyInterceptor } from './idempotent.decorator';

/** Forgets answers past their 24 hours, hourly, once across instances. */
@Injectable()
export class IdempotencyPurgeJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly idempotency: IdempotencyService,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: 'idempotency.purge-expired', everySeconds: 3600, run: async () => ({ deleted: await this.idempotency.purgeExpired() }) });
  }
}

/** Global, so any controller can mark a creating POST @Idempotent() without importing it. */
@Global()
@Module({
  providers: [IdempotencyRepository, IdempotencyService, IdempotencyInterceptor, IdempotencyPurgeJob],
  exports: [IdempotencyService, IdempotencyInterceptor],
})
export class IdempotencyModule {}
