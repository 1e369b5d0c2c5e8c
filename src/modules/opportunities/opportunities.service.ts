import { Injectable, OnModuleInit } from '@nestjs/common';
import { AttachmentsService } from '../attachments';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { iso } from '../../common/http/iso';
import { Cursors, Page, PageQueryDto } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { AuditService, type HistoryRow } from '../audit';
import { UsersRepository } from '../users';
import {
  CreateOpportunityDto,
  ListOpportunitiesQueryDto,
  OpportunityDetailDto,
  OpportunityDto,
  PipelineDto,
  PipelineQueryDto,
  ReplaceStagesDto,
  StageOutDto,
  UpdateOpportunityDto,
} from './dto/opportunity.dto';
import { OpportunityEntity, OpportunityStageEntity } from './opportunity.entity';
import { closingFields, ownerProblem, probabilityFor, stageChangeProblem, stagesProblem } from './opportunity.rules';
import { OpportunitiesRepository, OpportunityChanges } from './opportunities.repository';
import { expectedVersion } from '../customers/customer.rules';

/** The newest stage changes an opportunity's answer carries. */
const STAGE_CHANGES_SHOWN = 500;

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });
const money = (value: number | undefined | null) => (value === undefined || value === null ? value : value.toFixed(2));

function toDto(o: OpportunityEntity, outcome: OpportunityStageEntity['outcome']): OpportunityDto {
  return {
    id: o.id,
    customerId: o.customerId,
    ownerId: o.ownerId,
    departmentId: o.departmentId,
    title: o.title,
    source: o.source,
    amount: Number(o.amount),
    finalAmount: o.finalAmount === null ? null : Number(o.finalAmount),
    expectedCloseDate: o.expectedCloseDate,
    stage: o.stage,
    outcome,
    probability: o.probability,
    competitors: o.competitors.map((c) => ({ name: c.name, notes: c.notes ?? null })),
    strategy: o.strategy,
    contactIds: o.contactIds,
    lostReason: o.lostReason,
    closedAt: iso(o.closedAt),
    stageChangedAt: o.stageChangedAt.toISOString(),
    version: o.version,
    createdBy: o.createdBy,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

const snapshot = (o: OpportunityEntity) => {
  const { createdAt: _c, updatedAt: _u, stageChangedAt: _s, outcome: _o, version: _v, ...rest } = toDto(o, 'open');
  return rest;
};

/** 销售机会 (seed 004 §3.3): recorded on a customer, tracked through stages kept as data. */
@Injectable()
export class OpportunitiesService implements OnModuleInit {
  constructor(
    private readonly cursors: Cursors,
    private readonly opportunities: OpportunitiesRepository,
    private readonly users: UsersRepository,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // Files of an opportunity reach whoever reaches the opportunity (404 for the rest).
    this.attachments.registerParent('opportunity', {
      require: async (caller, id, action) => ({ departmentId: (await this.requireVisible(caller, id, action)).departmentId }),
    });
  }

  async stages(): Promise<StageOutDto[]> {
    return (await this.opportunities.stages()).map((s) => ({ code: s.code, name: s.name, position: s.position, defaultProbability: s.defaultProbability, outcome: s.outcome }));
  }

  /** Admin: the whole ordered list at once; a stage an opportunity is in cannot be left out (409 IN_USE). */
  replaceStages(dto: ReplaceStagesDto): Promise<StageOutDto[]> {
    return this.transactions.run(async () => {
      const problem = stagesProblem(dto.stages);
      if (problem) throw invalid('stages', problem);
      const before = await this.stages();
      await this.opportunities.replaceStages(dto.stages);
      const after = await this.stages();
      await this.audit.record({ action: 'opportunity_stages.replace', entityType: 'opportunity_stages', entityId: null, before: { stages: before }, after: { stages: after } });
      return after;
    });
  }

  create(caller: AuthUser, customerId: string, dto: CreateOpportunityDto): Promise<OpportunityDto> {
    return this.transactions.run(async () => {
      const customer = await this.access.require(caller, customerId, 'change');
      const stage = await this.requireStage(dto.stage);
      const problem = stageChangeProblem({ code: '', outcome: 'open' }, stage, dto);
      if (problem) throw new DomainError(problem.code, problem.message, { errors: [{ field: problem.field, message: problem.message }] });
      if (dto.finalAmount !== undefined && stage.outcome !== 'won') throw invalid('finalAmount', 'finalAmount is for a won stage');
      const ownerId = await this.requireOwner(caller, customer, dto.ownerId);
      await this.requireContacts(customerId, dto.contactIds);
      const now = new Date();
      const closing = closingFields(stage, dto, now);
      const opportunity = await this.opportunities.insert({
        customerId,
        ownerId,
        departmentId: customer.departmentId,
        title: dto.title,
        source: dto.source,
        amount: money(dto.amount)!,
        finalAmount: money(closing.finalAmount) ?? null,
        expectedCloseDate: dto.expectedCloseDate,
        stage: stage.code,
        probability: probabilityFor(stage, dto.probability),
        competitors: (dto.competitors ?? []).map((c) => ({ name: c.name, notes: c.notes ?? null })),
        strategy: dto.strategy,
        contactIds: [...new Set(dto.contactIds ?? [])],
        lostReason: closing.lostReason,
        closedAt: closing.closedAt,
        createdBy: caller.id,
      });
      await this.opportunities.recordStageChange({ opportunityId: opportunity.id, fromStage: null, toStage: stage.code, changedBy: caller.id, reason: dto.reason ?? null });
      await this.audit.record({ action: 'opportunity.create', entityType: 'opportunity', entityId: opportunity.id, after: snapshot(opportunity), reason: dto.reason });
      return toDto(opportunity, stage.outcome);
    });
  }

  async list(caller: AuthUser, query: ListOpportunitiesQueryDto): Promise<Page<OpportunityDto>> {
    const limit = query.limit ?? 20;
    const cursor = this.cursors.decode('opportunities', query.cursor, 2);
    const scope = this.access.opportunityScope(caller, 'c', 'o');
    const rows = await this.opportunities.list({
      scope,
      stage: query.stage,
      ownerId: query.ownerId,
      departmentId: query.departmentId,
      customerId: query.customerId,
      closingBefore: query.closingBefore,
      q: query.q,
      before: cursor ? [String(cursor[0]), String(cursor[1])] : undefined,
      limit: limit + 1,
    });
    const outcomes = await this.outcomes();
    return this.cursors.page('opportunities', rows, limit, (r) => toDto(r.opportunity, outcomes.get(r.opportunity.stage) ?? 'open'), (r) => [r.sortKey, r.opportunity.id]);
  }

  async get(caller: AuthUser, id: string): Promise<OpportunityDetailDto> {
    const opportunity = await this.requireVisible(caller, id, 'read');
    const changes = await this.opportunities.stageChanges(id, STAGE_CHANGES_SHOWN);
    const outcomes = await this.outcomes();
    return {
      ...toDto(opportunity, outcomes.get(opportunity.stage) ?? 'open'),
      stageChanges: changes.map((c) => ({
        fromStage: c.fromStage,
        toStage: c.toStage,
        changedAt: new Date(c.changedAt).toISOString(),
        changedBy: c.changedBy,
        reason: c.reason,
        secondsInPreviousStage: c.secondsInPreviousStage,
      })),
    };
  }

  /**
   * A change with the version read (If-Match or version; 412 when stale). A stage change is kept
   * with its time; lost needs a reason, won the final amount, reopening a reason.
   */
  async update(caller: AuthUser, id: string, dto: UpdateOpportunityDto, ifMatch: string | undefined): Promise<OpportunityDto> {
    const version = expectedVersion(ifMatch, dto.version);
    if (version === undefined) throw new DomainError('PRECONDITION_REQUIRED', 'Send the version you read, as If-Match or version');
    if (version === 'conflicting') throw invalid('version', 'If-Match is malformed or disagrees with version');
    return this.transactions.run(async () => {
      const current = await this.requireVisible(caller, id, 'change');
      const customer = await this.access.require(caller, current.customerId, 'read').catch(() => undefined);
      if (current.version !== version) throw this.versionConflict(current.version);
      const from = (await this.opportunities.stage(current.stage))!;
      const to = dto.stage === undefined ? from : await this.requireStage(dto.stage);
      const changes: OpportunityChanges = {};
      for (const key of ['title', 'source', 'expectedCloseDate', 'strategy'] as const) if (dto[key] !== undefined) (changes as Record<string, unknown>)[key] = dto[key];
      if (dto.amount !== undefined) changes.amount = money(dto.amount)!;
      if (dto.competitors !== undefined) changes.competitors = dto.competitors.map((c) => ({ name: c.name, notes: c.notes ?? null }));
      if (dto.contactIds !== undefined) {
        await this.requireContacts(current.customerId, dto.contactIds);
        changes.contactIds = [...new Set(dto.contactIds)];
      }
      if (dto.ownerId !== undefined && dto.ownerId !== current.ownerId) {
        // The owner of a customer the caller does not see in full (the opportunity's own owner) is not theirs to give away.
        if (!customer) throw new DomainError('FORBIDDEN', 'Only whoever sees the customer may give its opportunity another owner');
        changes.ownerId = await this.requireOwner(caller, customer, dto.ownerId);
      }
      if (to.code !== from.code) {
        const problem = stageChangeProblem(from, to, dto);
        if (problem) throw new DomainError(problem.code, problem.message, { errors: [{ field: problem.field, message: problem.message }] });
        const closing = closingFields(to, dto, new Date());
        Object.assign(changes, { stage: to.code, closedAt: closing.closedAt, lostReason: closing.lostReason, finalAmount: money(closing.finalAmount) ?? null, stageChangedAt: new Date() });
        changes.probability = probabilityFor(to, dto.probability);
      } else {
        if (dto.finalAmount !== undefined) {
          if (to.outcome !== 'won') throw invalid('finalAmount', 'finalAmount is for a won stage');
          changes.finalAmount = money(dto.finalAmount)!;
        }
        if (dto.probability !== undefined) changes.probability = probabilityFor(to, dto.probability);
      }
      if (dto.finalAmount !== undefined && to.outcome !== 'won') throw invalid('finalAmount', 'finalAmount is for a won stage');
      const updated = await this.opportunities.update(id, version, changes);
      if (!updated) throw this.versionConflict(current.version + 1);
      if (to.code !== from.code) {
        await this.opportunities.recordStageChange({ opportunityId: id, fromStage: from.code, toStage: to.code, changedBy: caller.id, reason: dto.reason ?? null });
      }
      await this.audit.record({
        action: to.code !== from.code ? 'opportunity.stage_change' : 'opportunity.update',
        entityType: 'opportunity',
        entityId: id,
        before: snapshot(current),
        after: snapshot(updated),
        reason: dto.reason,
      });
      return toDto(updated, to.outcome);
    });
  }

  /** Every recorded change of the opportunity, newest first, from the audit log. */
  async history(caller: AuthUser, id: string, page: PageQueryDto): Promise<Page<HistoryRow>> {
    await this.requireVisible(caller, id, 'read');
    return this.audit.history([{ entityType: 'opportunity', entityIds: [id] }], page);
  }

  async pipeline(caller: AuthUser, query: PipelineQueryDto): Promise<PipelineDto> {
    const scope = this.access.opportunityScope(caller, 'c', 'o');
    const args = [scope, query.departmentId ?? null, query.ownerId ?? null, query.from ?? null, query.to ?? null] as const;
    const rows = await this.opportunities.pipeline(...args);
    const closed = await this.opportunities.closed(...args);
    return {
      stages: rows.map((r) => ({
        stage: r.stage,
        name: r.name,
        outcome: r.outcome,
        count: r.count,
        total: Number(r.total),
        weighted: Number(r.weighted),
        reached: r.reached,
        conversionFromPrevious: r.conversion === null ? null : Number(r.conversion),
      })),
      wonCount: closed.wonCount,
      wonAmount: Number(closed.wonAmount),
      lostCount: closed.lostCount,
      lostAmount: Number(closed.lostAmount),
    };
  }

  /** The opportunity, if the caller may do `action` on it (404 when they cannot see it). */
  async requireVisible(caller: AuthUser, id: string, action: 'read' | 'change'): Promise<OpportunityEntity> {
    const opportunity = await this.opportunities.findById(id);
    if (!opportunity) throw notFound('Opportunity');
    await this.access.requireOpportunity(caller, opportunity.customerId, opportunity, action);
    return opportunity;
  }

  private async outcomes(): Promise<Map<string, OpportunityStageEntity['outcome']>> {
    return new Map((await this.opportunities.stages()).map((s) => [s.code, s.outcome]));
  }

  private async requireStage(code: string): Promise<OpportunityStageEntity> {
    const stage = await this.opportunities.stage(code);
    if (!stage) throw invalid('stage', 'stage must be a code of GET /opportunity-stages');
    return stage;
  }

  private async requireOwner(caller: AuthUser, customer: { ownerId: string; departmentId: string }, ownerId: string | undefined): Promise<string> {
    if (ownerId === undefined || ownerId === customer.ownerId) return customer.ownerId;
    const user = await this.users.findById(ownerId);
    const problem = ownerProblem(caller, customer, user ?? undefined);
    if (problem) throw new DomainError('OWNER_INVALID', problem, { errors: [{ field: 'ownerId', message: problem }] });
    return ownerId;
  }

  private async requireContacts(customerId: string, contactIds: string[] | undefined): Promise<void> {
    if (!contactIds || contactIds.length === 0) return;
    const theirs = await this.opportunities.contactsOf(customerId, contactIds);
    if (theirs < new Set(contactIds).size) throw new DomainError('UNPROCESSABLE', 'contactIds must name contacts of this customer', { errors: [{ field: 'contactIds', message: 'contactIds must name contacts of this customer' }] });
  }

  private versionConflict(current: number): DomainError {
    return new DomainError('VERSION_CONFLICT', `The opportunity was changed meanwhile; the current version is ${current}`, { currentVersion: current });
  }
}
