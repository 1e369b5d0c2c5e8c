import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, PageQueryDto } from '../../common/pagination';
import { APP_CONFIG } from '../../config/config.provider';
import type { AppConfig } from '../../config/config';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { CreatedWebhookDto, CreateWebhookDto, GrantWebhookPiiDto, RevokeWebhookPiiDto, UpdateWebhookDto, WebhookDeliveryDto, WebhookDeliveryPageDto, WebhookDto, WebhookListDto } from './dto/webhook.dto';
import { endpointProblem } from './webhook-sender';
import { newWebhookSecret } from './webhook.rules';
import { AttemptRow, DeliveryRow, WebhookRow, WebhooksRepository } from './webhooks.repository';

const MAX_WEBHOOKS = 100;
const ATTEMPTS_SHOWN = 10;

export const secretPlace = (id: string) => ({ table: 'webhooks', column: 'secret_enc', rowId: id });

function toDto(row: WebhookRow): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    active: row.active,
    pii: row.pii,
    piiGrantedAt: row.piiGrantedAt?.toISOString() ?? null,
    version: row.version,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the audit log keeps of an endpoint: never its secret. */
const snapshot = (row: WebhookRow) => ({ url: row.url, events: row.events, description: row.description, active: row.active, pii: row.pii });

function toDeliveryDto(row: DeliveryRow, attempts: AttemptRow[]): WebhookDeliveryDto {
  return {
    id: row.id,
    eventId: row.eventId,
    event: row.event,
    entityType: row.entityType,
    entityId: row.entityId,
    status: row.status,
    attemptCount: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    attempts: attempts.map((a) => ({
      attemptedAt: a.attemptedAt.toISOString(),
      statusCode: a.statusCode,
      durationMs: a.durationMs,
      error: a.error,
      responseExcerpt: a.responseExcerpt,
      piiUnmasked: a.piiUnmasked,
    })),
  };
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly cipher: PiiCipher,
    private readonly cursors: Cursors,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(caller: AuthUser, dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    await this.requireSafeUrl(dto.url);
    const id = randomUUID();
    const secret = newWebhookSecret();
    return this.transactions.run(async () => {
      if ((await this.webhooks.count()) >= MAX_WEBHOOKS) throw new DomainError('LIMIT_REACHED', `there can be at most ${MAX_WEBHOOKS} webhooks`);
      const row = await this.webhooks.insert({
        id,
        url: dto.url,
        events: [...new Set(dto.events)],
        description: dto.description ?? null,
        active: dto.active ?? true,
        secretEnc: this.cipher.encrypt(secret, secretPlace(id)),
        createdBy: caller.id,
      });
      await this.audit.record({ action: 'webhook.create', entityType: 'webhook', entityId: id, after: snapshot(row) });
      return { ...toDto(row), secret };
    });
  }

  async list(): Promise<WebhookListDto> {
    return { items: (await this.webhooks.list()).map(toDto) };
  }

  async get(id: string): Promise<WebhookDto> {
    return toDto(await this.require(id));
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookDto> {
    if (dto.url !== undefined) await this.requireSafeUrl(dto.url);
    return this.transactions.run(async () => {
      const current = await this.require(id, true);
      if (current.version !== dto.version) throw new DomainError('VERSION_CONFLICT', `the webhook is at version ${current.version}, not ${dto.version}`);
      const reactivated = dto.active === true && !current.active;
      const row = await this.webhooks.update(id, {
        url: dto.url ?? current.url,
        events: dto.events ? [...new Set(dto.events)] : current.events,
        description: dto.description === undefined ? current.description : dto.description,
        active: dto.active ?? current.active,
        clearDisabled: reactivated,
      });
      await this.audit.record({ action: 'webhook.update', entityType: 'webhook', entityId: id, before: snapshot(current), after: snapshot(row) });
      return toDto(row);
    });
  }

  /**
   * The one way an endpoint receives personal data: an admin's grant with a reason, audited as
   * `webhook.pii_grant`. Not retroactive: events that happened before it stay masked, queued or not.
   * Granting a granted endpoint changes nothing (and keeps its grant time).
   */
  async grantPii(id: string, dto: GrantWebhookPiiDto): Promise<WebhookDto> {
    return this.transactions.run(async () => {
      const current = await this.require(id, true);
      if (current.pii) return toDto(current);
      const row = await this.webhooks.setPii(id, true);
      await this.audit.record({ action: 'webhook.pii_grant', entityType: 'webhook', entityId: id, before: snapshot(current), after: snapshot(row), reason: dto.reason });
      return toDto(row);
    });
  }

  /** Audited as `webhook.pii_revoke`; every attempt from now on is masked, redeliveries of old events included. */
  async revokePii(id: string, dto: RevokeWebhookPiiDto): Promise<WebhookDto> {
    return this.transactions.run(async () => {
      const current = await this.require(id, true);
      if (!current.pii) return toDto(current);
      const row = await this.webhooks.setPii(id, false);
      await this.audit.record({ action: 'webhook.pii_revoke', entityType: 'webhook', entityId: id, before: snapshot(current), after: snapshot(row), reason: dto.reason });
      return toDto(row);
    });
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async () => {
      const current = await this.require(id, true);
      await this.webhooks.delete(id);
      await this.audit.record({ action: 'webhook.delete', entityType: 'webhook', entityId: id, before: snapshot(current) });
    });
  }

  async deliveries(id: string, query: PageQueryDto): Promise<WebhookDeliveryPageDto> {
    const limit = query.limit ?? 20;
    const before = this.cursors.decode('webhook-deliveries', query.cursor, 1)?.[0];
    return this.transactions.run(async () => {
      await this.require(id);
      const rows = await this.webhooks.deliveries(id, before === undefined || before === null ? undefined : String(before), limit + 1);
      const attempts = await this.webhooks.attemptsOf(rows.slice(0, limit).map((r) => r.id), ATTEMPTS_SHOWN);
      return this.cursors.page('webhook-deliveries', rows, limit, (row) => toDeliveryDto(row, attempts.filter((a) => a.deliveryId === row.id)), (row) => [row.seq]);
    });
  }

  async redeliver(id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    return this.transactions.run(async () => {
      await this.require(id);
      if (!(await this.webhooks.requeue(id, deliveryId))) throw new DomainError('NOT_FOUND', 'the webhook has no such delivery');
      await this.audit.record({ action: 'webhook.redeliver', entityType: 'webhook', entityId: id, after: { deliveryId } });
      const row = (await this.webhooks.delivery(id, deliveryId))!;
      return toDeliveryDto(row, await this.webhooks.attemptsOf([deliveryId], ATTEMPTS_SHOWN));
    });
  }

  private async require(id: string, lock = false): Promise<WebhookRow> {
    const row = await this.webhooks.findById(id, lock);
    if (!row) throw new DomainError('NOT_FOUND', 'no such webhook');
    return row;
  }

  private async requireSafeUrl(url: string): Promise<void> {
    const problem = await endpointProblem(url, this.config.webhooks);
    if (problem) throw new DomainError('WEBHOOK_URL_REFUSED', problem, { errors: [{ field: 'url', message: problem }] });
  }
}
