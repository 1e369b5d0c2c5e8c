import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { ListScopeSql } from '../access';
import { ActivityCustomerEntity, ActivityEntity } from './activity.entity';

export interface ActivityFilter {
  /** Who sees which activities (see ActivitiesService.visibility); none for admins and auditors. */
  visibility?: { scope: ListScopeSql; me: string; managedDepartment: string | null };
  customerId?: string;
  kind?: string;
  from?: string;
  to?: string;
  /** Keyset, newest start first: starts_at (as text) and id of the last row seen. */
  before?: [string, string];
  limit: number;
}

@Injectable()
export class ActivitiesRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(ActivityEntity);
  }

  async insert(activity: Omit<ActivityEntity, 'id' | 'version' | 'createdAt' | 'updatedAt'>, customerIds: string[]): Promise<ActivityEntity> {
    const saved = await this.repo.save(this.repo.create(activity));
    if (customerIds.length > 0) {
      await this.transactions.manager.getRepository(ActivityCustomerEntity).insert(customerIds.map((customerId) => ({ activityId: saved.id, customerId })));
    }
    return saved;
  }

  findById(id: string): Promise<ActivityEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async customerIds(activityIds: string[]): Promise<Map<string, string[]>> {
    const rows: { activityId: string; customerId: string }[] = activityIds.length
      ? await this.transactions.manager.query(
          `SELECT activity_id AS "activityId", customer_id AS "customerId" FROM activity_customers WHERE activity_id = ANY($1::uuid[]) ORDER BY customer_id`,
          [activityIds],
        )
      : [];
    const map = new Map<string, string[]>(activityIds.map((id) => [id, []]));
    for (const r of rows) map.get(r.activityId)!.push(r.customerId);
    return map;
  }

  async recordOutcome(id: string, outcome: Pick<ActivityEntity, 'happenedAt' | 'summary' | 'evaluation' | 'feedbackSummary'>): Promise<ActivityEntity> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ ...outcome, version: () => 'version + 1', updatedAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
    return (await this.findById(id))!;
  }

  /** Newest start first. */
  async list(filter: ActivityFilter): Promise<{ activity: ActivityEntity; sortKey: string }[]> {
    const qb = this.repo.createQueryBuilder('a');
    if (filter.visibility) {
      const v = filter.visibility;
      qb.where(
        `(a.owner_id = CAST(:me AS uuid) OR a.department_id = CAST(:managed AS uuid)
          OR EXISTS (SELECT 1 FROM activity_customers ac JOIN customers c ON c.id = ac.customer_id WHERE ac.activity_id = a.id AND ${v.scope.where}))`,
        { ...v.scope.params, me: v.me, managed: v.managedDepartment },
      );
    }
    if (filter.customerId) {
      qb.andWhere('EXISTS (SELECT 1 FROM activity_customers acf WHERE acf.activity_id = a.id AND acf.customer_id = :customerId)', { customerId: filter.customerId });
    }
    if (filter.kind) qb.andWhere('a.kind = :kind', { kind: filter.kind });
    if (filter.from) qb.andWhere('a.starts_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.starts_at < :to', { to: filter.to });
    if (filter.before) {
      qb.andWhere('(a.starts_at, a.id) < (CAST(:beforeAt AS timestamptz), CAST(:beforeId AS uuid))', { beforeAt: filter.before[0], beforeId: filter.before[1] });
    }
    qb.addSelect('a.starts_at::text', 'sort_key').orderBy('a.starts_at', 'DESC').addOrderBy('a.id', 'DESC').limit(filter.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ sort_key: string }>();
    return entities.map((activity, i) => ({ activity, sortKey: raw[i].sort_key }));
  }
}
