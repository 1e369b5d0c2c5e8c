import { Injectable } from '@nestjs/common';
import { ListScopeSql } from '../access';
import { Transactions } from '../../database/transactions';
import { CustomerConsentEntity } from './consent.entity';
import { CustomerEntity } from './customer.entity';
import type { CustomerSort, DuplicateDto, SimilarCustomerDto } from './dto/customer.dto';

export interface DuplicateProbe {
  nameNormalized: string;
  creditCode?: string | null;
  mobileHashes: Buffer[];
  emailHashes: Buffer[];
  /** A customer not to report (the one being changed). */
  excludeId?: string;
  /** A contact whose own mobile and e-mail do not count (the one being changed). */
  excludeContactId?: string;
}

export interface CustomerListFilter {
  scope: ListScopeSql;
  q?: string;
  stage?: string;
  source?: string;
  industry?: string;
  ownerId?: string;
  departmentId?: string;
  importance?: number;
  updatedSince?: string;
  marketableOnly: boolean;
  sort: CustomerSort;
  /** Keyset: the sort key (as text) and id of the last row of the previous page. */
  after?: [string, string];
  limit: number;
}

const SORT_KEYS: Record<string, { expr: string; cast: string }> = {
  name: { expr: 'c.name', cast: 'text' },
  createdAt: { expr: 'c.created_at', cast: 'timestamptz' },
  updatedAt: { expr: 'c.updated_at', cast: 'timestamptz' },
  lastInteractionAt: { expr: `coalesce(c.last_interaction_at, '-infinity'::timestamptz)`, cast: 'timestamptz' },
};

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export type CustomerChanges = Partial<Omit<CustomerEntity, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'owner' | 'department'>>;

@Injectable()
export class CustomersRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(CustomerEntity);
  }

  insert(customer: CustomerChanges): Promise<CustomerEntity> {
    return this.repo.save(this.repo.create(customer));
  }

  findById(id: string): Promise<CustomerEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Compare-and-set on version: null when the customer changed meanwhile. */
  async update(id: string, version: number, changes: CustomerChanges): Promise<CustomerEntity | null> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    return result.affected ? this.findById(id) : null;
  }

  /** Exact matches on normalized name, credit code, or any active contact's mobile or e-mail. */
  async findDuplicates(probe: DuplicateProbe): Promise<DuplicateDto[]> {
    return this.transactions.manager.query(
      `SELECT c.id, c.name, c.owner_id AS "ownerId", u.display_name AS "ownerName", m.matched_on AS "matchedOn"
         FROM (
           SELECT id AS customer_id, 'name' AS matched_on FROM customers WHERE $1::text <> '' AND name_normalized = $1::text
           UNION SELECT id, 'creditCode' FROM customers WHERE $2::text IS NOT NULL AND credit_code = $2::text
           UNION SELECT customer_id, 'mobile' FROM contacts
                  WHERE status = 'active' AND mobile_hash = ANY($3::bytea[]) AND ($6::uuid IS NULL OR id <> $6::uuid)
           UNION SELECT customer_id, 'email' FROM contacts
                  WHERE status = 'active' AND email_hash = ANY($4::bytea[]) AND ($6::uuid IS NULL OR id <> $6::uuid)
         ) m
         JOIN customers c ON c.id = m.customer_id
         JOIN users u ON u.id = c.owner_id
        WHERE $5::uuid IS NULL OR c.id <> $5::uuid
        ORDER BY c.name, c.id, m.matched_on`,
      [probe.nameNormalized, probe.creditCode ?? null, probe.mobileHashes, probe.emailHashes, probe.excludeId ?? null, probe.excludeContactId ?? null],
    );
  }

  /** Names at least `threshold` similar (pg_trgm), best first. */
  async similarNames(name: string, threshold: number, limit: number): Promise<SimilarCustomerDto[]> {
    const rows: (SimilarCustomerDto & { similarity: string | number })[] = await this.transactions.manager.query(
      `SELECT c.id, c.name, c.owner_id AS "ownerId", u.display_name AS "ownerName", round(similarity(c.name, $1)::numeric, 3) AS similarity
         FROM customers c JOIN users u ON u.id = c.owner_id
        WHERE c.name % $1 AND similarity(c.name, $1) >= $2
        ORDER BY similarity(c.name, $1) DESC, c.id
        LIMIT $3`,
      [name, threshold, limit],
    );
    return rows.map((row) => ({ ...row, similarity: Number(row.similarity) }));
  }

  async list(filter: CustomerListFilter): Promise<{ customer: CustomerEntity; sortKey: string }[]> {
    const descending = filter.sort.startsWith('-');
    const key = SORT_KEYS[filter.sort.replace(/^-/, '')];
    const qb = this.repo.createQueryBuilder('c').where(filter.scope.where, filter.scope.params);
    if (filter.q) {
      // Substring first (what people type for Chinese names), then trigram word similarity for typos.
      qb.andWhere('(c.name ILIKE :qLike OR c.short_name ILIKE :qLike OR :q <% c.name)', { q: filter.q, qLike: `%${escapeLike(filter.q)}%` });
    }
    if (filter.stage) qb.andWhere('c.stage = :stage', { stage: filter.stage });
    if (filter.source) qb.andWhere('c.source = :source', { source: filter.source });
    if (filter.industry) qb.andWhere('c.industry = :industry', { industry: filter.industry });
    if (filter.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.departmentId) qb.andWhere('c.department_id = :departmentId', { departmentId: filter.departmentId });
    if (filter.importance) qb.andWhere('c.importance = :importance', { importance: filter.importance });
    if (filter.updatedSince) qb.andWhere('c.updated_at >= :updatedSince', { updatedSince: filter.updatedSince });
    if (filter.marketableOnly) qb.andWhere(`c.marketing_consent = 'granted'`);
    if (filter.after) {
      qb.andWhere(`(${key.expr}, c.id) ${descending ? '<' : '>'} (CAST(:afterKey AS ${key.cast}), CAST(:afterId AS uuid))`, {
        afterKey: filter.after[0],
        afterId: filter.after[1],
      });
    }
    const direction = descending ? 'DESC' : 'ASC';
    qb.addSelect(`(${key.expr})::text`, 'sort_key').orderBy(key.expr, direction).addOrderBy('c.id', direction).limit(filter.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ sort_key: string }>();
    return entities.map((customer, i) => ({ customer, sortKey: raw[i].sort_key }));
  }

  /**
   * Archives, in one statement, every active customer with no sign of life for `days` days and
   * nothing planned. Returns what changed.
   */
  async archiveDormant(days: number): Promise<{ id: string; version: number }[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [{ id: string; version: number }[], number] = await this.transactions.manager.query(
      `UPDATE customers SET status = 'dormant', archived_at = now(), version = version + 1, updated_at = now()
        WHERE status = 'active'
          AND greatest(coalesce(last_interaction_at, created_at), coalesce(reactivated_at, created_at)) < now() - make_interval(days => $1)
          AND (next_follow_up_at IS NULL OR next_follow_up_at < now())
        RETURNING id, version`,
      [days],
    );
    return rows;
  }

  /** An interaction moves the customer's last contact forward and sets the next planned follow-up. */
  async recordInteraction(customerId: string, occurredAt: Date, nextFollowUpAt: Date | null): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE customers
          SET last_interaction_at = greatest(last_interaction_at, $2::timestamptz),
              next_follow_up_at = CASE WHEN $2::timestamptz >= coalesce(last_interaction_at, '-infinity') THEN $3::timestamptz ELSE next_follow_up_at END
        WHERE id = $1`,
      [customerId, occurredAt, nextFollowUpAt],
    );
  }

  async insertConsent(consent: Omit<CustomerConsentEntity, 'id' | 'recordedAt' | 'customer'>): Promise<CustomerConsentEntity> {
    const repo = this.transactions.manager.getRepository(CustomerConsentEntity);
    return repo.save(repo.create(consent));
  }

  listConsents(customerId: string): Promise<CustomerConsentEntity[]> {
    return this.transactions.manager.getRepository(CustomerConsentEntity).find({ where: { customerId }, order: { recordedAt: 'DESC', id: 'DESC' } });
  }
}
