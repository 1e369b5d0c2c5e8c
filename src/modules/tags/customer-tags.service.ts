import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { type AuditEntry, AuditService } from '../audit';
import { BulkTagResponseDto, BulkTagResultDto, ChangeCustomerTagsDto, TagRefDto } from './dto/tag.dto';
import { exclusiveClashes } from './tags.rules';
import { TagChange, TagsRepository, UsableTag } from './tags.repository';

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

@Injectable()
export class CustomerTagsService {
  constructor(
    private readonly tags: TagsRepository,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /** Tags on one customer; returns the tags it carries afterwards (as the caller sees them). */
  async change(caller: AuthUser, customerId: string, dto: ChangeCustomerTagsDto): Promise<TagRefDto[]> {
    return this.transactions.run(async () => {
      await this.access.require(caller, customerId, 'tag');
      await this.apply(caller, [customerId], dto);
      return this.tags
        .usableTags(await this.tags.tagIdsOf(customerId), caller.id)
        .then((tags) => tags.map(({ exclusive: _e, ...tag }) => tag).sort((a, b) => a.groupName.localeCompare(b.groupName) || a.name.localeCompare(b.name)));
    });
  }

  /**
   * Up to 1,000 customers in one transaction and a handful of statements: invisible customers are
   * reported not_found and left alone.
   */
  async bulkChange(caller: AuthUser, customerIds: string[], dto: ChangeCustomerTagsDto): Promise<BulkTagResponseDto> {
    const ids = [...new Set(customerIds)];
    return this.transactions.run(async () => {
      const allowed = await this.access.filter(caller, ids, 'tag');
      const changed = await this.apply(caller, [...allowed.keys()], dto);
      const results: BulkTagResultDto[] = ids.map((customerId) => ({
        customerId,
        result: !allowed.has(customerId) ? 'not_found' : changed.has(customerId) ? 'updated' : 'unchanged',
      }));
      return { results, updated: changed.size };
    });
  }

  /** Validates the tags, changes them on `customerIds` and audits one entry per changed customer. */
  private async apply(caller: AuthUser, customerIds: string[], dto: ChangeCustomerTagsDto): Promise<Set<string>> {
    const add = [...new Set(dto.add ?? [])];
    const remove = [...new Set(dto.remove ?? [])];
    if (add.length === 0 && remove.length === 0) throw invalid('add', 'add or remove at least one tag');
    const both = add.filter((id) => remove.includes(id));
    if (both.length > 0) throw invalid('remove', 'a tag cannot be added and removed at once');
    const usable = new Map((await this.tags.usableTags([...add, ...remove], caller.id)).map((t) => [t.id, t]));
    for (const [field, list] of [['add', add], ['remove', remove]] as const) {
      const unknown = list.filter((id) => !usable.has(id));
      if (unknown.length > 0) throw invalid(field, `${field} names tags that do not exist: ${unknown.join(', ')}`);
    }
    const added = add.map((id) => usable.get(id)!);
    if (exclusiveClashes(added).length > 0) throw invalid('add', 'two tags of the same exclusive group cannot be added together');
    if (customerIds.length === 0) return new Set();
    const exclusiveGroups = [...new Set(added.filter((t) => t.exclusive).map((t) => t.groupId))];
    const changes = await this.tags.change(customerIds, add, remove, exclusiveGroups, caller.id);
    const replacedTags = changes.filter((c) => c.change === 'removed' && !usable.has(c.tagId)).map((c) => c.tagId);
    const names = new Map([...usable, ...(await this.tags.usableTags(replacedTags, caller.id)).map((t) => [t.id, t] as const)]);
    await this.audit.recordMany(this.auditEntries(changes, names, new Set(remove)));
    return new Set(changes.map((c) => c.customerId));
  }

  private auditEntries(changes: TagChange[], tags: Map<string, UsableTag>, requestedRemovals: Set<string>): AuditEntry[] {
    const byCustomer = new Map<string, TagChange[]>();
    for (const change of changes) byCustomer.set(change.customerId, [...(byCustomer.get(change.customerId) ?? []), change]);
    const ref = (id: string) => ({ id, name: tags.get(id)?.name ?? id, group: tags.get(id)?.groupName ?? null });
    return [...byCustomer].map(([customerId, list]) => {
      const removed = list.filter((c) => c.change === 'removed').map((c) => c.tagId);
      const replaced = removed.filter((id) => !requestedRemovals.has(id));
      return {
        action: 'customer.tags',
        entityType: 'customer',
        entityId: customerId,
        before: { tags: removed.map(ref) },
        after: { tags: list.filter((c) => c.change === 'added').map((c) => ref(c.tagId)) },
        reason: replaced.length > 0 ? `exclusive group: replaced ${replaced.map((id) => ref(id).name).join(', ')}` : null,
      };
    });
  }
}
