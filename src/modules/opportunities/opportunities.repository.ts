import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { ListScopeSql } from '../access';
import { OpportunityEntity, OpportunityStageChangeEntity, OpportunityStageEntity } from './opportunity.entity';
import type { StageDefinition } from './opportunity.rules';

export type OpportunityChanges = Partial<
  Pick<OpportunityEntity, 'title' | 'source' | 'amount' | 'finalAmount' | 'expectedCloseDate' | 'stage' | 'probability' | 'competitors' | 'strategy' | 'contactIds' | 'ownerId' | 'lostReason' | 'closedAt' | 'stageChangedAt'>
>;

export interface OpportunityFilter {
  scope: ListScopeSql;
  stage?: string;
  ownerId?: string;
  departmentId?: string;
  customerId?: string;
  closingBefore?: string;
  q?: string;
  /** Keyset, newest first: created_at (as text) and id of the last row seen. */
  before?: [string, string];
  limit: number;
}

export interface PipelineRow {
  stage: string;
  name: string;
  outcome: 'open' | 'won' | 'lost';
  count: number;
  total: string;
  weighted: string;
  reached: number;
  conversion: string | null;
}

export interface ClosedRow {
  wonCount: number;
  wonAmount: string;
  lostCount: number;
  lostAmount: string;
}

/** Escapes LIKE's wildcards, so that a search for "50%" finds "50%". */
const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@Injectable()
export class OpportunitiesRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(OpportunityEntity);
  }

  private get stagesRepo() {
    return this.transactions.manager.getRepository(OpportunityStageEntity);
  }

  stages(): Promise<OpportunityStageEntity[]> {
    return this.stagesRepo.find({ order: { position: 'ASC' } });
  }

  stage(code: string): Promise<OpportunityStageEntity | null> {
    return this.stagesRepo.findOneBy({ code });
  }

  /** The list replaces the stages: those left out are deleted (an opportunity still in one makes that 409 IN_USE through fk_opportunities_stage). */
  async replaceStages(stages: readonly StageDefinition[]): Promise<void> {
    await this.transactions.manager.query(`DELETE FROM opportunity_stages WHERE NOT (code = ANY($1::text[]))`, [stages.map((s) => s.code)]);
    for (const [i, s] of stages.entries()) {
      await this.transactions.manager.query(
        `INSERT INTO opportunity_stages (code, name, position, default_probability, outcome) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position, default_probability = EXCLUDED.default_probability,
                                         outcome = EXCLUDED.outcome, updated_at = now()`,
        [s.code, s.name, i + 1, s.defaultProbability, s.outcome],
      );
    }
  }

  insert(opportunity: Omit<OpportunityEntity, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'stageChangedAt'>): Promise<OpportunityEntity> {
    return this.repo.save(this.repo.create(opportunity));
  }

  async recordStageChange(change: Pick<OpportunityStageChangeEntity, 'opportunityId' | 'fromStage' | 'toStage' | 'changedBy' | 'reason'>): Promise<void> {
    await this.transactions.manager.getRepository(OpportunityStageChangeEntity).insert(change);
  }

  findById(id: string): Promise<OpportunityEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Compare-and-set on version: null when someone changed it meanwhile. */
  async update(id: string, version: number, changes: OpportunityChanges): Promise<OpportunityEntity | null> {
    return (await updateVersioned(this.repo, id, version, changes)) ? this.findById(id) : null;
  }

  /** The newest `limit` stage changes, oldest first, each with the time spent in the stage it left. */
  stageChanges(opportunityId: string, limit: number): Promise<(OpportunityStageChangeEntity & { secondsInPreviousStage: number | null })[]> {
    return this.transactions.manager.query(
      `SELECT * FROM (
         SELECT id, opportunity_id AS "opportunityId", from_stage AS "fromStage", to_stage AS "toStage", changed_at AS "changedAt",
                changed_by AS "changedBy", reason,
                floor(extract(epoch FROM changed_at - lag(changed_at) OVER (ORDER BY changed_at, id)))::int AS "secondsInPreviousStage"
           FROM opportunity_stage_changes WHERE opportunity_id = $1
          ORDER BY changed_at DESC, id DESC LIMIT $2) newest
        ORDER BY "changedAt", id`,
      [opportunityId, limit],
    );
  }

  /** Newest first, within the caller's scope (customers joined as c). */
  async list(filter: OpportunityFilter): Promise<{ opportunity: OpportunityEntity; sortKey: string }[]> {
    const qb = this.repo.createQueryBuilder('o').innerJoin('customers', 'c', 'c.id = o.customer_id').where(filter.scope.where, filter.scope.params);
    if (filter.stage) qb.andWhere('o.stage = :stage', { stage: filter.stage });
    if (filter.ownerId) qb.andWhere('o.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.departmentId) qb.andWhere('o.department_id = :departmentId', { departmentId: filter.departmentId });
    if (filter.customerId) qb.andWhere('o.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.closingBefore) qb.andWhere('o.expected_close_date < CAST(:closingBefore AS date)', { closingBefore: filter.closingBefore });
    if (filter.q) qb.andWhere(`o.title ILIKE :q ESCAPE '\\'`, { q: likeText(filter.q) });
    if (filter.before) {
      qb.andWhere('(o.created_at, o.id) < (CAST(:beforeAt AS timestamptz), CAST(:beforeId AS uuid))', { beforeAt: filter.before[0], beforeId: filter.before[1] });
    }
    qb.addSelect('o.created_at::text', 'sort_key').orderBy('o.created_at', 'DESC').addOrderBy('o.id', 'DESC').limit(filter.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ sort_key: string }>();
    return entities.map((opportunity, i) => ({ opportunity, sortKey: raw[i].sort_key }));
  }

  /**
   * The pipeline, in one statement per part: per stage the opportunities in it now (count, total,
   * probability-weighted total), and of the opportunities created in the period how many reached
   * the stage or a later one (by their stage changes; lost stages are not on the way), with the
   * conversion from the previous open stage.
   */
  async pipeline(scope: ListScopeSql, departmentId: string | null, ownerId: string | null, from: string | null, to: string | null): Promise<PipelineRow[]> {
    const { sql, params } = this.scoped(scope, departmentId, ownerId);
    const p = params.length;
    return this.transactions.manager.query(
      `WITH scoped AS (${sql}),
       now_in AS (
         SELECT o.stage, count(*)::int AS n,
                sum(coalesce(o.final_amount, o.amount)) AS total,
                sum(round(coalesce(o.final_amount, o.amount) * o.probability / 100.0, 2)) AS weighted
           FROM scoped o GROUP BY o.stage),
       furthest AS (
         SELECT ch.opportunity_id, max(s.position) AS position
           FROM scoped o JOIN opportunity_stage_changes ch ON ch.opportunity_id = o.id
           JOIN opportunity_stages s ON s.code = ch.to_stage AND s.outcome <> 'lost'
          WHERE ($${p + 1}::timestamptz IS NULL OR o.created_at >= $${p + 1}::timestamptz) AND ($${p + 2}::timestamptz IS NULL OR o.created_at < $${p + 2}::timestamptz)
          GROUP BY ch.opportunity_id),
       reached AS (
         SELECT s.code, (SELECT count(*) FROM furthest f WHERE f.position >= s.position)::int AS n,
                s.position
           FROM opportunity_stages s WHERE s.outcome <> 'lost'),
       converted AS (
         SELECT code, n, round(n::numeric / nullif(lag(n) OVER (ORDER BY position), 0), 4) AS conversion FROM reached)
       SELECT s.code AS stage, s.name, s.outcome, coalesce(ni.n, 0) AS count, coalesce(ni.total, 0)::text AS total,
              coalesce(ni.weighted, 0)::text AS weighted, coalesce(cv.n, 0) AS reached, cv.conversion::text AS conversion
         FROM opportunity_stages s
         LEFT JOIN now_in ni ON ni.stage = s.code
         LEFT JOIN converted cv ON cv.code = s.code
        ORDER BY s.position`,
      [...params, from, to],
    );
  }

  /** Won and lost in the period, by closing time. */
  async closed(scope: ListScopeSql, departmentId: string | null, ownerId: string | null, from: string | null, to: string | null): Promise<ClosedRow> {
    const { sql, params } = this.scoped(scope, departmentId, ownerId);
    const p = params.length;
    const [row] = await this.transactions.manager.query(
      `SELECT count(*) FILTER (WHERE s.outcome = 'won')::int AS "wonCount",
              coalesce(sum(coalesce(o.final_amount, o.amount)) FILTER (WHERE s.outcome = 'won'), 0)::text AS "wonAmount",
              count(*) FILTER (WHERE s.outcome = 'lost')::int AS "lostCount",
              coalesce(sum(o.amount) FILTER (WHERE s.outcome = 'lost'), 0)::text AS "lostAmount"
         FROM (${sql}) o JOIN opportunity_stages s ON s.code = o.stage
        WHERE o.closed_at IS NOT NULL
          AND ($${p + 1}::timestamptz IS NULL OR o.closed_at >= $${p + 1}::timestamptz) AND ($${p + 2}::timestamptz IS NULL OR o.closed_at < $${p + 2}::timestamptz)`,
      [...params, from, to],
    );
    return row;
  }

  /** How many of these ids are contacts of the customer (not removed). */
  async contactsOf(customerId: string, ids: string[]): Promise<number> {
    const [row]: { n: number }[] = await this.transactions.manager.query(
      `SELECT count(*)::int AS n FROM contacts WHERE customer_id = $1 AND id = ANY($2::uuid[]) AND status <> 'removed'`,
      [customerId, [...new Set(ids)]],
    );
    return row.n;
  }

  /** The caller's opportunities as a SELECT with positional parameters (the scope's named ones turned into $n). */
  private scoped(scope: ListScopeSql, departmentId: string | null, ownerId: string | null): { sql: string; params: unknown[] } {
    const qb = this.repo
      .createQueryBuilder('o')
      .select('o.id', 'id')
      .addSelect('o.stage', 'stage')
      .addSelect('o.amount', 'amount')
      .addSelect('o.final_amount', 'final_amount')
      .addSelect('o.probability', 'probability')
      .addSelect('o.created_at', 'created_at')
      .addSelect('o.closed_at', 'closed_at')
      .innerJoin('customers', 'c', 'c.id = o.customer_id')
      .where(scope.where, scope.params)
      .andWhere('(CAST(:pDepartment AS uuid) IS NULL OR o.department_id = CAST(:pDepartment AS uuid))', { pDepartment: departmentId })
      .andWhere('(CAST(:pOwner AS uuid) IS NULL OR o.owner_id = CAST(:pOwner AS uuid))', { pOwner: ownerId });
    const [sql, params] = qb.getQueryAndParameters();
    return { sql, params };
  }
}
