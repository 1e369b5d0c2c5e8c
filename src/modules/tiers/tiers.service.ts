import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { AuditService } from '../audit';
import { CustomersRepository } from '../customers';
import { CreateTierDto, SetCustomerTierDto, TierChangeDto, TierDto, TierEvaluationDto, UpdateTierDto } from './dto/tier.dto';
import { TierEntity } from './tier.entity';
import { explainTier } from './tiers.rules';
import { TiersRepository } from './tiers.repository';

const RULE_EVALUATION = 'rule evaluation';
const MAX_PROPOSALS_RETURNED = 1000;
const AUDIT_CHUNK = 5000;

const toDto = (t: TierEntity): TierDto => ({
  id: t.id,
  code: t.code,
  name: t.name,
  rank: t.rank,
  contactCadenceDays: t.contactCadenceDays,
  preferredChannel: t.preferredChannel,
  responseTargetMinutes: t.responseTargetMinutes,
  serviceNotes: t.serviceNotes,
  criteria: t.criteria ?? {},
  version: t.version,
});

@Injectable()
export class TiersService {
  constructor(
    private readonly tiers: TiersRepository,
    private readonly customers: CustomersRepository,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async list(): Promise<TierDto[]> {
    return (await this.tiers.findAll()).map(toDto);
  }

  create(dto: CreateTierDto): Promise<TierDto> {
    return this.transactions.run(async () => {
      const tier = await this.tiers.insert({ ...dto, serviceNotes: dto.serviceNotes ?? null, criteria: dto.criteria ?? {} });
      await this.audit.record({ action: 'tier.create', entityType: 'tier', entityId: tier.id, after: toDto(tier) });
      return toDto(tier);
    });
  }

  /** A new cadence moves the follow-up date of every customer in the tier, in the same transaction. */
  update(id: string, dto: UpdateTierDto): Promise<TierDto> {
    return this.transactions.run(async () => {
      const current = await this.tiers.findById(id);
      if (!current) throw notFound('Tier');
      const { version, ...changes } = dto;
      const updated = await this.tiers.update(id, version, changes as Partial<TierEntity>);
      if (!updated) throw new DomainError('VERSION_CONFLICT', `The tier was changed meanwhile; the current version is ${current.version}`);
      if (updated.contactCadenceDays !== current.contactCadenceDays) {
        await this.customers.refreshFollowUps(await this.tiers.customerIdsInTier(id));
      }
      await this.audit.record({ action: 'tier.update', entityType: 'tier', entityId: id, before: toDto(current), after: toDto(updated) });
      return toDto(updated);
    });
  }

  /** By the owner's manager or an admin, with a reason; the follow-up date follows the new cadence. */
  setCustomerTier(caller: AuthUser, customerId: string, dto: SetCustomerTierDto): Promise<TierChangeDto[]> {
    return this.transactions.run(async () => {
      await this.access.require(caller, customerId, 'change');
      const tier = await this.tiers.findById(dto.tierId);
      if (!tier) {
        throw new DomainError('UNPROCESSABLE', 'tierId does not name a tier', { errors: [{ field: 'tierId', message: 'tierId does not name a tier' }] });
      }
      const customer = (await this.customers.findById(customerId))!;
      if (customer.tierId !== tier.id) {
        const change = { customerId, fromTierId: customer.tierId, toTierId: tier.id };
        await this.tiers.applyTiers([change]);
        await this.customers.refreshFollowUps([customerId]);
        await this.tiers.recordChanges([change], dto.reason, caller.id);
        await this.audit.record({
          action: 'customer.tier',
          entityType: 'customer',
          entityId: customerId,
          before: { tierId: customer.tierId, version: customer.version },
          after: { tierId: tier.id, tierCode: tier.code, version: customer.version + 1 },
          reason: dto.reason,
        });
      }
      return this.history(caller, customerId);
    });
  }

  async history(caller: AuthUser, customerId: string): Promise<TierChangeDto[]> {
    await this.access.require(caller, customerId, 'read');
    const codes = new Map((await this.tiers.findAll()).map((t) => [t.id, t.code]));
    return (await this.tiers.history(customerId)).map((h) => ({
      id: h.id,
      fromTier: h.fromTierId ? (codes.get(h.fromTierId) ?? null) : null,
      toTier: codes.get(h.toTierId) ?? h.toTierId,
      reason: h.reason,
      changedBy: h.changedBy,
      changedAt: h.changedAt.toISOString(),
    }));
  }

  /**
   * Applies the tier criteria to the caller's customers (a manager's department, an admin's all),
   * highest rank first: set-based reads and writes, audit records written in chunks.
   */
  evaluate(caller: AuthUser, dryRun: boolean): Promise<TierEvaluationDto> {
    return this.transactions.run(async () => {
      const tiers = await this.tiers.findAll();
      const byId = new Map(tiers.map((t) => [t.id, t]));
      const rows = await this.tiers.proposals(this.access.listScope(caller, 'c', ['active']), !dryRun);
      const today = new Date();
      const proposals = rows.map((row) => {
        const to = byId.get(row.toTierId)!;
        const inputs = {
          annualRevenue: row.annualRevenue === null ? null : Number(row.annualRevenue),
          cooperationSince: row.cooperationSince,
          potentialScore: row.potentialScore,
        };
        return {
          customerId: row.customerId,
          fromTierId: row.fromTierId,
          toTierId: to.id,
          fromTier: row.fromTierId ? (byId.get(row.fromTierId)?.code ?? null) : null,
          toTier: to.code,
          because: explainTier(to.criteria ?? {}, inputs, today) ?? RULE_EVALUATION,
        };
      });
      if (!dryRun && proposals.length > 0) {
        await this.tiers.applyTiers(proposals);
        await this.customers.refreshFollowUps(proposals.map((p) => p.customerId));
        await this.tiers.recordChanges(proposals, RULE_EVALUATION, caller.id);
        for (let i = 0; i < proposals.length; i += AUDIT_CHUNK) {
          await this.audit.recordMany(
            proposals.slice(i, i + AUDIT_CHUNK).map((p) => ({
              action: 'customer.tier',
              entityType: 'customer',
              entityId: p.customerId,
              before: { tierId: p.fromTierId },
              after: { tierId: p.toTierId, tierCode: p.toTier, because: p.because },
              reason: RULE_EVALUATION,
            })),
          );
        }
      }
      return {
        dryRun,
        total: proposals.length,
        applied: dryRun ? 0 : proposals.length,
        proposals: proposals.slice(0, MAX_PROPOSALS_RETURNED).map(({ customerId, fromTier, toTier, because }) => ({ customerId, fromTier, toTier, because })),
        truncated: proposals.length > MAX_PROPOSALS_RETURNED,
      };
    });
  }
}
