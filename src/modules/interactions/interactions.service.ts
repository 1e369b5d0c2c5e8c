import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Cursors, Page, PageQueryDto } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { AuditService } from '../audit';
import { ContactsRepository, CustomersRepository } from '../customers';
import { CorrectInteractionDto, InteractionDto, InteractionVersionDto, ListInteractionsQueryDto, RecordInteractionDto } from './dto/interaction.dto';
import { InteractionEntity, InteractionVersionEntity } from './interaction.entity';
import { earliestOccurredAt, occurredAtProblem } from './interaction.rules';
import { InteractionChanges, InteractionsRepository } from './interactions.repository';
import { iso } from '../../common/http/iso';
import { LIMITS } from '../../common/limits';

function toDto(i: InteractionEntity): InteractionDto {
  return {
    id: i.id,
    customerId: i.customerId,
    authorId: i.authorId,
    occurredAt: i.occurredAt.toISOString(),
    channel: i.channel,
    contactId: i.contactId,
    summary: i.summary,
    feedback: i.feedback,
    agreements: i.agreements,
    nextAction: i.nextAction,
    nextActionDueAt: iso(i.nextActionDueAt),
    version: i.version,
    correctedBy: i.correctedBy,
    correctedAt: iso(i.correctedAt),
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}

const snapshot = (i: InteractionEntity) => {
  const { createdAt: _c, updatedAt: _u, correctedBy: _b, correctedAt: _a, ...rest } = toDto(i);
  return rest;
};

/** Every version, oldest first: the ones corrections replaced, then the record as it is. */
function toVersions(current: InteractionEntity, earlier: InteractionVersionEntity[]): InteractionVersionDto[] {
  const all = [...earlier, current];
  return all.map((v, k) => ({
    version: v.version,
    current: v === current,
    occurredAt: v.occurredAt.toISOString(),
    summary: v.summary,
    feedback: v.feedback,
    agreements: v.agreements,
    nextAction: v.nextAction,
    nextActionDueAt: iso(v.nextActionDueAt),
    // Version 1 was written by the author at creation; corrections before versions were kept left no corrector.
    writtenBy: v.correctedBy ?? current.authorId,
    writtenAt: (v.correctedAt ?? (v.version === 1 ? current.createdAt : current.updatedAt)).toISOString(),
    supersededAt: k + 1 < all.length ? iso(all[k + 1].correctedAt) : null,
  }));
}

@Injectable()
export class InteractionsService {
  constructor(
    private readonly cursors: Cursors,
    private readonly interactions: InteractionsRepository,
    private readonly customers: CustomersRepository,
    private readonly contacts: ContactsRepository,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /** 联系记录: also moves the customer's last interaction and next follow-up. */
  async record(caller: AuthUser, customerId: string, dto: RecordInteractionDto): Promise<InteractionDto> {
    return this.transactions.run(async () => {
      await this.access.require(caller, customerId, 'interact');
      await this.requirePlausibleDate(customerId, new Date(dto.occurredAt));
      if (dto.contactId) {
        const contact = await this.contacts.findById(dto.contactId);
        if (!contact || contact.customerId !== customerId) {
          throw new DomainError('UNPROCESSABLE', 'contactId is not a contact of this customer', {
            errors: [{ field: 'contactId', message: 'contactId is not a contact of this customer' }],
          });
        }
      }
      const interaction = await this.interactions.insert({
        customerId,
        authorId: caller.id,
        occurredAt: new Date(dto.occurredAt),
        channel: dto.channel,
        contactId: dto.contactId ?? null,
        summary: dto.summary,
        feedback: dto.feedback ?? null,
        agreements: dto.agreements ?? null,
        nextAction: dto.nextAction ?? null,
        nextActionDueAt: dto.nextActionDueAt ? new Date(dto.nextActionDueAt) : null,
      });
      await this.customers.recordInteraction(customerId, interaction.occurredAt, interaction.nextActionDueAt);
      await this.audit.record({ action: 'interaction.create', entityType: 'interaction', entityId: interaction.id, after: snapshot(interaction) });
      return toDto(interaction);
    });
  }

  async listForCustomer(caller: AuthUser, customerId: string, page: PageQueryDto): Promise<Page<InteractionDto>> {
    await this.access.require(caller, customerId, 'read');
    return this.page(page, (before, limit) => this.interactions.list({ customerId, before, limit }));
  }

  async list(caller: AuthUser, query: ListInteractionsQueryDto): Promise<Page<InteractionDto>> {
    const scope = this.access.listScope(caller, 'c', ['active', 'dormant', 'archived']);
    return this.page(query, (before, limit) =>
      this.interactions.list({ scope, ownerId: query.ownerId, from: query.from, to: query.to, before, limit }),
    );
  }

  /**
   * Only the author corrects a record. A correction is a new version: the one it replaces is kept
   * whole (GET /interactions/:id/versions), and the audit log has the change too.
   */
  async correct(caller: AuthUser, id: string, dto: CorrectInteractionDto): Promise<InteractionDto> {
    return this.transactions.run(async () => {
      const current = await this.interactions.findById(id);
      if (!current) throw notFound('Interaction');
      await this.access.requireThrough(caller, current.customerId, 'interact', 'Interaction');
      if (current.authorId !== caller.id) throw new DomainError('NOT_AUTHOR', 'Only the author may correct an interaction record');
      if (current.version !== dto.version) {
        throw new DomainError('VERSION_CONFLICT', `The record was corrected meanwhile; the current version is ${current.version}`);
      }
      // The version is compared and set on write, so two corrections at once cannot both pass this.
      if (current.version >= LIMITS.interactionVersions) {
        throw new DomainError('LIMIT_REACHED', `A record has at most ${LIMITS.interactionVersions} versions; record a new interaction instead`);
      }
      const { version: _version, nextActionDueAt, occurredAt, ...text } = dto;
      const changes: InteractionChanges = { ...text };
      if (nextActionDueAt !== undefined) changes.nextActionDueAt = new Date(nextActionDueAt);
      if (occurredAt !== undefined) {
        changes.occurredAt = new Date(occurredAt);
        await this.requirePlausibleDate(current.customerId, changes.occurredAt);
      }
      const updated = await this.interactions.correct(current, caller.id, changes);
      if (!updated) throw new DomainError('VERSION_CONFLICT', 'The record was corrected meanwhile');
      if (occurredAt !== undefined || nextActionDueAt !== undefined) {
        await this.interactions.recomputeCustomerLastInteraction(updated.customerId);
        await this.customers.refreshFollowUps([updated.customerId]);
      }
      await this.audit.record({
        action: 'interaction.correct',
        entityType: 'interaction',
        entityId: id,
        before: snapshot(current),
        after: snapshot(updated),
      });
      return toDto(updated);
    });
  }

  /** Every version of a record, oldest first, for whoever may read the customer's interactions (404 otherwise). */
  async versions(caller: AuthUser, id: string): Promise<InteractionVersionDto[]> {
    const current = await this.interactions.findById(id);
    if (!current) throw notFound('Interaction');
    await this.access.requireThrough(caller, current.customerId, 'read', 'Interaction');
    // Read after the record: a correction in between would add the version read as current, so keep only older ones.
    const earlier = (await this.interactions.earlierVersions(id)).filter((v) => v.version < current.version);
    return toVersions(current, earlier);
  }

  /** A date that cannot be true is refused before it moves the customer's last interaction (dormancy depends on it). */
  private async requirePlausibleDate(customerId: string, occurredAt: Date): Promise<void> {
    const now = new Date();
    // No customer is created after now: a date within the last year passes the lower bound without a look-up (the hot path).
    const customerCreatedAt = occurredAt < earliestOccurredAt(now) ? await this.interactions.customerCreatedAt(customerId) : now;
    const problem = occurredAtProblem(occurredAt, now, customerCreatedAt);
    if (problem) throw new DomainError('VALIDATION_FAILED', problem, { errors: [{ field: 'occurredAt', message: problem }] });
  }

  private async page(
    page: PageQueryDto,
    fetch: (before: [string, string] | undefined, limit: number) => Promise<{ interaction: InteractionEntity; sortKey: string }[]>,
  ): Promise<Page<InteractionDto>> {
    const limit = page.limit ?? 20;
    const cursor = this.cursors.decode('interactions', page.cursor, 2);
    const rows = await fetch(cursor ? [String(cursor[0]), String(cursor[1])] : undefined, limit + 1);
    return this.cursors.page('interactions', rows, limit, (r) => toDto(r.interaction), (r) => [r.sortKey, r.interaction.id]);
  }
}
