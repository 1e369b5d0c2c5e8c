import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { AuditService } from '../audit';
import { CustomersRepository } from '../customers';
import { CreateTierDto, SetCustomerTierDto, TierChangeDto, TierDto, TierEvaluationDto, UpdateTierDto } from './dto/tier.dto';
import { TierEntity } from './tier.entity';
import { explainTier, isPinned } from './tiers.rules';
import { iso } from '../../common/http/iso';
import { TiersRepository } from './tiers.repository';
import { LIMITS, requireBelowLimit } from '../../common/limits';

const RULE_EVALUATION = 'rule evaluation';
const MAX_PROPOSALS_RETURNED = 1000;
const AUDIT_CHUNK = 5000;
const MAX_PIN_YEARS = 5;

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

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
      await requireBelowLimit(this.transactions, 'limit:tiers', LIMITS.tiers, () => this.tiers.count(), 'tiers');
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

  /**
   * By the owner's manager (the customer's department's) or an admin, with a reason: moves the
   * customer to a tier by hand, which pins it (rule evaluation keeps it) unless `pinned: false`;
   * without `tierId`, only pins or releases the current tier. The follow-up date follows the cadence.
   */
  setCustomerTier(caller: AuthUser, customerId: string, dto: SetCustomerTierDto): Promise<TierChangeDto[]> {
    return this.transactions.run(async () => {
      await this.access.require(caller, customerId, 'change');
      if (dto.tierId === undefined && dto.pinned === undefined) throw invalid('pinned', 'give tierId, or pinned to pin (true) or release (false) the current tier');
      const pinned = dto.pinned ?? true;
      const pinnedUntil = this.pinEnd(pinned, dto.pinnedUntil);
      const customer = (await this.customers.findById(customerId))!;
      if (customer.status !== 'active') {
        throw new DomainError('CUSTOMER_ARCHIVED', 'The customer is in the archive, in the dormant tier: reactivate it first');
      }
      const tier = dto.tierId === undefined ? null : await this.tiers.findById(dto.tierId);
      if (dto.tierId !== undefined && !tier) {
        throw new DomainError('UNPROCESSABLE', 'tierId does not name a tier', { errors: [{ field: 'tierId', message: 'tierId does not name a tier' }] });
      }
      const toTierId = tier?.id ?? customer.tierId;
      if (!toTierId) throw invalid('tierId', 'the customer has no tier to pin: give tierId');
      const wasPinned = isPinned({ pinned: customer.tierPinned, pinnedUntil: customer.tierPinnedUntil }, new Date());
      const samePin = wasPinned === pinned && (!pinned || (customer.tierPinnedUntil?.getTime() ?? null) === (pinnedUntil?.getTime() ?? null));
      if (toTierId === customer.tierId && samePin) return this.history(caller, customerId);
      const change = { customerId, fromTierId: customer.tierId, toTierId, pinned, pinnedUntil };
      await this.tiers.applyTiers([change]);
      if (toTierId !== customer.tierId) await this.customers.refreshFollowUps([customerId]);
      await this.tiers.recordChanges([change], dto.reason, caller.id);
      const codes = new Map((await this.tiers.findAll()).map((t) => [t.id, t.code]));
      await this.audit.record({
        action: 'customer.tier',
        entityType: 'customer',
        entityId: customerId,
        before: { tierId: customer.tierId, tierPinned: wasPinned, tierPinnedUntil: wasPinned ? iso(customer.tierPinnedUntil) : null, version: customer.version },
        after: { tierId: toTierId, tierCode: codes.get(toTierId), tierPinned: pinned, tierPinnedUntil: iso(pinnedUntil), version: customer.version + 1 },
        reason: dto.reason,
      });
      return this.history(caller, customerId);
    });
  }

  /** When a pin ends: only with pinned, in the future, and no more than MAX_PIN_YEARS ahead. */
  private pinEnd(pinned: boolean, until: string | undefined): Date | null {
    if (until === undefined) return null;
    if (!pinned) throw invalid('pinnedUntil', 'pinnedUntil goes with pinned: true');
    const end = new Date(until);
    const now = Date.now();
    if (end.getTime() <= now) throw invalid('pinnedUntil', 'pinnedUntil must be in the future');
    if (end.getTime() > now + MAX_PIN_YEARS * 366 * 86_400_000) throw invalid('pinnedUntil', `pinnedUntil must be within ${MAX_PIN_YEARS} years`);
    return end;
  }

  async history(caller: AuthUser, customerId: string): Promise<TierChangeDto[]> {
    await this.access.require(caller, customerId, 'read');
    const codes = new Map((await this.tiers.findAll()).map((t) => [t.id, t.code]));
    return (await this.tiers.history(customerId)).map((h) => ({
      id: h.id,
      fromTier: h.fromTierId ? (codes.get(h.fromTierId) ?? null) : null,
      toTier: codes.get(h.toTierId) ?? h.toTierId,
      reason: h.reason,
      pinned: h.pinned,
      pinnedUntil: iso(h.pinnedUntil),
      changedBy: h.changedBy,
      changedAt: h.changedAt.toISOString(),
    }));
  }

  /**
   * Applies the tier criteria to the caller's active customers (a manager's department, an admin's
   * all), highest rank first, leaving pinned tiers alone (listed apart with the tier the rules would
   * give): set-based reads and writes, audit records written in chunks.
   */
  evaluate(caller: AuthUser, dryRun: boolean): Promise<TierEvaluationDto> {
    return this.transactions.run(async () => {
      const tiers = await this.tiers.findAll();
      const byId = new Map(tiers.map((t) => [t.id, t]));
      const code = (id: string | null) => (id ? (byId.get(id)?.code ?? null) : null);
      const rows = await this.tiers.proposals(this.access.listScope(caller, 'c', ['active']), !dryRun);
      const today = new Date();
      const pinned = rows.filter((row) => row.pinned);
      const proposals = rows
        .filter((row) => !row.pinned && row.toTierId !== null)
        .map((row) => {
          const to = byId.get(row.toTierId!)!;
          const inputs = {
            annualRevenue: row.annualRevenue === null ? null : Number(row.annualRevenue),
            cooperationSince: row.cooperationSince,
            potentialScore: row.potentialScore,
            interactions90d: Number(row.interactions90d),
          };
          return {
            customerId: row.customerId,
            fromTierId: row.fromTierId,
            toTierId: to.id,
            // An expired pin ends here: the tier is the rules' again.
            pinned: false,
            pinnedUntil: null,
            fromTier: code(row.fromTierId),
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
        pinnedTotal: pinned.length,
        pinned: pinned.slice(0, MAX_PROPOSALS_RETURNED).map((row) => ({
          customerId: row.customerId,
          tier: code(row.fromTierId),
          rulesTier: code(row.toTierId),
          pinnedUntil: iso(row.pinnedUntil),
        })),
      };
    });
  }
}
