import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PiiCipher, PiiUnreadableError } from '../../common/crypto/pii-cipher';
import { Poller } from '../../common/jobs/poller';
import { APP_CONFIG } from '../../config/config.provider';
import type { AppConfig } from '../../config/config';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { OutboxPii, outboxPiiPlace, unmaskedPayload } from '../audit/outbox.rules';
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
  private readonly poller = new Poller(this.logger, 'webhook delivery', () => this.deliverDue());

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly cipher: PiiCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(): void {
    this.poller.start(this.config.webhooks.pollMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** One pass, unless one is under way: returns how many deliveries were attempted. */
  tick(): Promise<number> {
    return this.poller.run();
  }

  private async deliverDue(): Promise<number> {
    await this.transactions.run(() => this.webhooks.fanOut(FAN_OUT_BATCH));
    const claimed = await this.transactions.run(async () => {
      const deliveries = (await this.webhooks.claimDue(CLAIM_BATCH)).map((delivery) => ({ delivery, pii: this.grantedPii(delivery) }));
      // Personal data leaving the company is logged before it leaves, in the claim's transaction.
      await this.audit.recordMany(
        deliveries
          .filter((d) => d.pii !== null)
          .map(({ delivery }) => ({
            action: 'pii.webhook_send',
            entityType: delivery.entityType,
            entityId: delivery.entityId,
            after: { webhookId: delivery.webhookId, deliveryId: delivery.id, eventId: delivery.eventId, event: delivery.event, url: delivery.url },
            actor: { id: null, role: null },
          })),
      );
      return deliveries;
    });
    await Promise.all(claimed.map(({ delivery, pii }) => this.deliver(delivery, pii)));
    return claimed.length;
  }

  /**
   * The unmasked personal data a delivery may carry: only when its endpoint is granted personal data
   * now (a revoke takes effect for every attempt after it, redeliveries included) and was when the
   * event happened (a grant is not retroactive), and the outbox kept it. Otherwise null: masked.
   */
  private grantedPii(delivery: ClaimedDelivery): OutboxPii | null {
    if (!delivery.piiGranted || delivery.piiEnc === null) return null;
    try {
      return JSON.parse(this.cipher.decrypt(delivery.piiEnc, outboxPiiPlace(delivery.eventId))) as OutboxPii;
    } catch (error) {
      if (!(error instanceof PiiUnreadableError)) throw error;
      this.logger.warn(`event ${delivery.eventId}: ${error.message}; delivered masked`);
      return null;
    }
  }

  private async deliver(delivery: ClaimedDelivery, pii: OutboxPii | null): Promise<void> {
    const payload = pii === null ? delivery.payload : unmaskedPayload(delivery.payload, pii);
    const body = JSON.stringify({ type: delivery.event, timestamp: delivery.occurredAt.toISOString(), data: { eventId: delivery.eventId, ...payload } });
    const timestamp = Math.floor(Date.now() / 1000);
    const secret = this.cipher.decrypt(delivery.secretEnc, secretPlace(delivery.webhookId));
    const headers = { 'webhook-id': delivery.eventId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, delivery.eventId, timestamp, body) };
    const result = await sendWebhook(delivery.url, headers, body, this.config.webhooks, this.config.webhooks.timeoutMs);
    await this.transactions.run(async () => {
      // A receiver may echo what it got: after unmasked personal data, its answer is not kept.
      await this.webhooks.recordAttempt({ deliveryId: delivery.id, ...result, ...(pii === null ? { piiUnmasked: false } : { piiUnmasked: true, responseExcerpt: null }) });
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
