import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { ListScopeSql } from '../access';
import { InteractionEntity } from './interaction.entity';

export type InteractionChanges = Partial<Pick<InteractionEntity, 'summary' | 'feedback' | 'agreements' | 'nextAction' | 'nextActionDueAt'>>;

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

  insert(interaction: Omit<InteractionEntity, 'id' | 'version' | 'createdAt' | 'updatedAt'>): Promise<InteractionEntity> {
    return this.repo.save(this.repo.create(interaction));
  }

  findById(id: string): Promise<InteractionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async update(id: string, version: number, changes: InteractionChanges): Promise<InteractionEntity | null> {
    return (await updateVersioned(this.repo, id, version, changes)) ? this.findById(id) : null;
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
