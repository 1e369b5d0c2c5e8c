import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Delivered or failed deliveries and their events are kept 30 days for admins, then forgotten: daily, once across instances. */
@Injectable()
export class WebhookRetentionJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobScheduler,
    private readonly webhooks: WebhooksRepository,
    private readonly transactions: Transactions,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: 'webhooks.purge-old-deliveries',
      everySeconds: 86400,
      run: async () => ({ ...(await this.transactions.run(() => this.webhooks.purgeOlderThan(30, 10_000))) }),
    });
  }
}

/** The audit append keeps a sealed copy of a change's personal data for the outbox only while an endpoint is granted it. */
@Injectable()
export class WebhookPiiPolicy implements OnModuleInit {
  constructor(
    private readonly audit: AuditService,
    private readonly webhooks: WebhooksRepository,
  ) {}

  onModuleInit(): void {
    this.audit.registerOutboxPiiWanted(() => this.webhooks.anyGrantedPii());
  }
}

@Module({
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookDeliveryWorker, WebhookRetentionJob, WebhookPiiPolicy],
  exports: [WebhookDeliveryWorker],
})
export class WebhooksModule {}
