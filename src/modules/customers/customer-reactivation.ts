import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit';
import { customerSnapshot } from './customer.mapper';
import { CustomerEntity } from './customer.entity';
import { CustomersRepository } from './customers.repository';

/**
 * A customer's return from the archive, whoever brings it back (a manager's reactivation, or a
 * complaint received for it): active again, in the tier the rules give, audited. Runs in the
 * caller's transaction, on a row the caller's access check has locked.
 */
@Injectable()
export class CustomerReactivation {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly audit: AuditService,
  ) {}

  async reactivate(customerId: string, reason: string, actorId: string): Promise<CustomerEntity> {
    const current = (await this.customers.findById(customerId))!;
    if (current.status === 'active') throw new DomainError('CUSTOMER_NOT_ARCHIVED', 'The customer is active already');
    const updated = await this.customers.update(customerId, current.version, { status: 'active', archivedAt: null, reactivatedAt: new Date() });
    if (!updated) throw new DomainError('VERSION_CONFLICT', `The customer was changed meanwhile; the current version is ${current.version + 1}`, { currentVersion: current.version + 1 });
    await this.customers.restoreRuleTier(customerId, `reactivated: ${reason}; tier by rule evaluation`, actorId);
    const reactivated = (await this.customers.findById(customerId))!;
    await this.audit.record({
      action: 'customer.reactivate',
      entityType: 'customer',
      entityId: customerId,
      before: customerSnapshot(current),
      after: customerSnapshot(reactivated),
      reason,
    });
    return reactivated;
  }
}
