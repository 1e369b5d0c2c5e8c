import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { APP_CONFIG } from '../../config/config.provider';
import type { AppConfig } from '../../config/config';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { sendWebhook } from './webhook-sender';
import { RETRY_FOR_MS, retryDelayMs, signWebhook } from './webhook.rules';
import { ClaimedDelivery, WebhooksRepository } from './webhooks.repository';
import { secretPlace } from './webhooks.service';

const FAN_OUT_BATCH = 500;
const CLAIM_BATCH = 20;

/**
 * Delivers webhook events after commit. Runs on every instance: fan-out and claims take rows with
 * FOR UPDATE SKIP LOCKED, so each delivery is sent by one instance at a time; a claim is a lease,
 * so a delivery claimed by an instance that died is sent again by another (at-least-once).
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDeliveryWorker');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly cipher: PiiCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.config.webhooks.pollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass, unless one is under way: returns how many deliveries were attempted. */
  tick(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.deliverDue()
      .catch((error: unknown) => {
        this.logger.error(`webhook delivery failed: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async deliverDue(): Promise<number> {
    await this.transactions.run(() => this.webhooks.fanOut(FAN_OUT_BATCH));
    const claimed = await this.transactions.run(() => this.webhooks.claimDue(CLAIM_BATCH));
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return claimed.length;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify({ type: delivery.event, timestamp: delivery.occurredAt.toISOString(), data: { eventId: delivery.eventId, ...delivery.payload } });
    const timestamp = Math.floor(Date.now() / 1000);
    const secret = this.cipher.decrypt(delivery.secretEnc, secretPlace(delivery.webhookId));
    const headers = { 'webhook-id': delivery.eventId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, delivery.eventId, timestamp, body) };
    const result = await sendWebhook(delivery.url, headers, body, this.config.webhooks, this.config.webhooks.timeoutMs);
    await this.transactions.run(async () => {
      await this.webhooks.recordAttempt({ deliveryId: delivery.id, ...result });
      const status = result.statusCode;
      if (status !== null && status >= 200 && status < 300) return this.webhooks.markDelivered(delivery.id);
      if (status === 410) {
        await this.webhooks.markFailed(delivery.id);
        return this.disable(delivery.webhookId, 'the endpoint answered 410 Gone');
      }
      const delay = retryDelayMs(delivery.attempts, this.config.webhooks.retryBaseMs);
      if (Date.now() + delay - delivery.createdAt.getTime() <= RETRY_FOR_MS) return this.webhooks.scheduleRetry(delivery.id, delay);
      await this.webhooks.markFailed(delivery.id);
      await this.disable(delivery.webhookId, `an event could not be delivered for 24 hours (last: ${status ?? result.error})`);
    });
  }

  private async disable(webhookId: string, reason: string): Promise<void> {
    if (await this.webhooks.disable(webhookId, reason)) {
      await this.audit.record({ action: 'webhook.disabled', entityType: 'webhook', entityId: webhookId, reason, actor: { id: null, role: null } });
    }
  }
}
