import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { ListScopeSql } from '../access';
import { InteractionEntity, InteractionVersionEntity } from './interaction.entity';

export type InteractionChanges = Partial<Pick<InteractionEntity, 'occurredAt' | 'summary' | 'feedback' | 'agreements' | 'nextAction' | 'nextActionDueAt'>>;

export interface InteractionFilter {
  customerId?: string;
  scope?: ListScopeSql;
  ownerId?: string;
  from?: string;
  to?: string;
  /** Keyset, newest first: occurred_at (as text) and id of the last row seen. */
  before?: [string, string];
  limit: number;
}

@Injectable()
export class InteractionsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(InteractionEntity);
  }

  insert(interaction: Omit<InteractionEntity, 'id' | 'version' | 'correctedBy' | 'correctedAt' | 'followUpMetAt' | 'createdAt' | 'updatedAt'>): Promise<InteractionEntity> {
    return this.repo.save(this.repo.create(interaction));
  }

  findById(id: string): Promise<InteractionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /**
   * A correction: compare-and-set on `version` (so of two concurrent correctors one gets null), then
   * the version it replaced, `previous` as read before, is kept whole in interaction_versions.
   */
  async correct(previous: InteractionEntity, correctedBy: string, changes: InteractionChanges): Promise<InteractionEntity | null> {
    const changed = await updateVersioned(this.repo, previous.id, previous.version, { ...changes, correctedBy, correctedAt: () => 'now()' } as never);
    if (!changed) return null;
    await this.transactions.manager.getRepository(InteractionVersionEntity).insert({
      interactionId: previous.id,
      version: previous.version,
      occurredAt: previous.occurredAt,
      summary: previous.summary,
      feedback: previous.feedback,
      agreements: previous.agreements,
      nextAction: previous.nextAction,
      nextActionDueAt: previous.nextActionDueAt,
      correctedBy: previous.correctedBy,
      correctedAt: previous.correctedAt,
    });
    return this.findById(previous.id);
  }

  /** The versions corrections replaced, oldest first (the current one is the interaction itself). */
  earlierVersions(interactionId: string): Promise<InteractionVersionEntity[]> {
    return this.transactions.manager.getRepository(InteractionVersionEntity).find({ where: { interactionId }, order: { version: 'ASC' } });
  }

  async customerCreatedAt(customerId: string): Promise<Date> {
    const [row]: { created_at: Date }[] = await this.transactions.manager.query(`SELECT created_at FROM customers WHERE id = $1`, [customerId]);
    return row.created_at;
  }

  /**
   * The customer's last interaction and planned next action, recomputed from its records: a
   * correction may move a record's date back, which "greatest" alone never undoes. Index ranges of
   * ix_interactions_customer only.
   */
  async recomputeCustomerLastInteraction(customerId: string): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE customers c
          SET last_interaction_at = (SELECT max(i.occurred_at) FROM interactions i WHERE i.customer_id = c.id),
              next_action_due_at = (SELECT i.next_action_due_at FROM interactions i WHERE i.customer_id = c.id ORDER BY i.occurred_at DESC, i.id DESC LIMIT 1)
        WHERE c.id = $1`,
      [customerId],
    );
  }

  /** Newest first; scoped through the customer when a scope is given. */
  async list(filter: InteractionFilter): Promise<{ interaction: InteractionEntity; sortKey: string }[]> {
    const qb = this.repo.createQueryBuilder('i');
    if (filter.scope) {
      qb.innerJoin('customers', 'c', 'c.id = i.customer_id').andWhere(filter.scope.where, filter.scope.params);
      if (filter.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: filter.ownerId });
    }
    if (filter.customerId) qb.andWhere('i.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.from) qb.andWhere('i.occurred_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('i.occurred_at < :to', { to: filter.to });
    if (filter.before) {
      qb.andWhere('(i.occurred_at, i.id) < (CAST(:beforeAt AS timestamptz), CAST(:beforeId AS uuid))', {
        beforeAt: filter.before[0],
        beforeId: filter.before[1],
      });
    }
    qb.addSelect('i.occurred_at::text', 'sort_key').orderBy('i.occurred_at', 'DESC').addOrderBy('i.id', 'DESC').limit(filter.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ sort_key: string }>();
    return entities.map((interaction, i) => ({ interaction, sortKey: raw[i].sort_key }));
  }
}
