import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { CreateTagDto, CreateTagGroupDto, TagDto, TagGroupDto, UpdateTagDto, UpdateTagGroupDto } from './dto/tag.dto';
import { TagEntity, TagGroupEntity } from './tag.entity';
import { cleanTagName, tagNameKey, tagNameProblem } from './tags.rules';
import { TagsRepository } from './tags.repository';
import { LIMITS, requireBelowLimit } from '../../common/limits';

const toTag = (t: TagEntity): TagDto => ({ id: t.id, groupId: t.groupId, name: t.name, order: t.order, personal: t.ownerId !== null, version: t.version });
const groupSnapshot = (g: TagGroupEntity) => ({ id: g.id, name: g.name, order: g.order, exclusive: g.exclusive, allowPersonal: g.allowPersonal, version: g.version });
const tagSnapshot = (t: TagEntity) => ({ ...toTag(t), ownerId: t.ownerId });

function validName(raw: string | undefined): { name: string; nameKey: string } | undefined {
  if (raw === undefined) return undefined;
  const name = cleanTagName(raw);
  const problem = tagNameProblem(name);
  if (problem) throw new DomainError('VALIDATION_FAILED', `name ${problem}`, { errors: [{ field: 'name', message: `name ${problem}` }] });
  return { name, nameKey: tagNameKey(name) };
}

/** 标签体系: the framework of groups and tags kept by admins, with users' personal tags inside it. */
@Injectable()
export class TagsService {
  constructor(
    private readonly tags: TagsRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async listGroups(caller: AuthUser): Promise<TagGroupDto[]> {
    const [groups, tags] = await Promise.all([this.tags.listGroups(), this.tags.listTags(caller.id)]);
    return groups.map((g) => ({ ...groupSnapshot(g), tags: tags.filter((t) => t.groupId === g.id).map(toTag) }));
  }

  createGroup(dto: CreateTagGroupDto): Promise<TagGroupDto> {
    const named = validName(dto.name)!;
    if (dto.exclusive && dto.allowPersonal) throw this.exclusivePersonal();
    return this.transactions.run(async () => {
      await requireBelowLimit(this.transactions, 'limit:tag_groups', LIMITS.tagGroups, () => this.tags.countGroups(), 'tag groups');
      const group = await this.tags.insertGroup({ ...named, order: dto.order ?? 0, exclusive: dto.exclusive ?? false, allowPersonal: dto.allowPersonal ?? false });
      await this.audit.record({ action: 'tag_group.create', entityType: 'tag_group', entityId: group.id, after: groupSnapshot(group) });
      return { ...groupSnapshot(group), tags: [] };
    });
  }

  updateGroup(caller: AuthUser, id: string, dto: UpdateTagGroupDto): Promise<TagGroupDto> {
    const named = validName(dto.name);
    return this.transactions.run(async () => {
      const current = await this.tags.findGroup(id);
      if (!current) throw notFound('Tag group');
      const next = { ...current, ...dto };
      if (next.exclusive && next.allowPersonal) throw this.exclusivePersonal();
      if (dto.exclusive && !current.exclusive && (await this.tags.groupHasMultiTaggedCustomers(id))) {
        throw new DomainError('TAG_GROUP_CONFLICT', 'Some customers carry several tags of this group; it cannot become exclusive until they carry one');
      }
      const { version, name: _name, ...rest } = dto;
      const updated = await this.tags.updateGroup(id, version, { ...rest, ...named });
      if (!updated) throw new DomainError('VERSION_CONFLICT', `The group was changed meanwhile; the current version is ${current.version}`);
      await this.audit.record({ action: 'tag_group.update', entityType: 'tag_group', entityId: id, before: groupSnapshot(current), after: groupSnapshot(updated) });
      return (await this.listGroups(caller)).find((g) => g.id === id)!;
    });
  }

  deleteGroup(id: string): Promise<void> {
    return this.transactions.run(async () => {
      const current = await this.tags.findGroup(id);
      if (!current) throw notFound('Tag group');
      if ((await this.tags.countTags(id)) > 0) throw new DomainError('TAG_GROUP_NOT_EMPTY', 'Delete or move the group\'s tags first');
      await this.tags.deleteGroup(id);
      await this.audit.record({ action: 'tag_group.delete', entityType: 'tag_group', entityId: id, before: groupSnapshot(current) });
    });
  }

  /** Admins add company tags; anyone else adds personal tags, in groups that allow them. */
  createTag(caller: AuthUser, groupId: string, dto: CreateTagDto): Promise<TagDto> {
    const named = validName(dto.name)!;
    const personal = caller.role !== 'admin' || dto.personal === true;
    return this.transactions.run(async () => {
      const group = await this.tags.findGroup(groupId);
      if (!group) throw notFound('Tag group');
      if (personal && !group.allowPersonal) throw forbidden('This group does not allow personal tags');
      const owner = personal ? caller.id : null;
      await requireBelowLimit(
        this.transactions,
        `limit:tags:${groupId}:${owner ?? 'company'}`,
        LIMITS.tagsPerGroupPerOwner,
        () => this.tags.countTagsOf(groupId, owner),
        personal ? 'personal tags of yours in one group' : 'company tags in one group',
      );
      const tag = await this.tags.insertTag({ groupId, ...named, order: dto.order ?? 0, ownerId: personal ? caller.id : null });
      await this.audit.record({ action: 'tag.create', entityType: 'tag', entityId: tag.id, after: tagSnapshot(tag) });
      return toTag(tag);
    });
  }

  updateTag(caller: AuthUser, id: string, dto: UpdateTagDto): Promise<TagDto> {
    const named = validName(dto.name);
    return this.transactions.run(async () => {
      const current = await this.manageableTag(caller, id);
      const updated = await this.tags.updateTag(id, dto.version, { ...named, ...(dto.order !== undefined ? { order: dto.order } : {}) });
      if (!updated) throw new DomainError('VERSION_CONFLICT', `The tag was changed meanwhile; the current version is ${current.version}`);
      await this.audit.record({ action: 'tag.update', entityType: 'tag', entityId: id, before: tagSnapshot(current), after: tagSnapshot(updated) });
      return toTag(updated);
    });
  }

  /** Takes the tag off every customer that carries it, each change in that customer's history, then deletes it. */
  deleteTag(caller: AuthUser, id: string): Promise<void> {
    return this.transactions.run(async () => {
      const tag = await this.manageableTag(caller, id);
      const group = (await this.tags.findGroup(tag.groupId))!;
      const customerIds = await this.tags.untagAll(id);
      await this.tags.deleteTag(id);
      const removed = { tags: [{ id, name: tag.name, group: group.name }] };
      await this.audit.recordMany([
        ...customerIds.map((customerId) => ({
          action: 'customer.tags',
          entityType: 'customer',
          entityId: customerId,
          before: removed,
          after: { tags: [] },
          reason: 'tag deleted',
        })),
        { action: 'tag.delete', entityType: 'tag', entityId: id, before: tagSnapshot(tag), after: null, reason: `removed from ${customerIds.length} customers` },
      ]);
    });
  }

  /** Company tags are the admins'; a personal tag is its owner's. Someone else's personal tag does not exist for you. */
  private async manageableTag(caller: AuthUser, id: string): Promise<TagEntity> {
    const tag = await this.tags.findTag(id);
    if (!tag || (tag.ownerId !== null && tag.ownerId !== caller.id)) throw notFound('Tag');
    if (tag.ownerId === null && caller.role !== 'admin') throw forbidden('Only admins change company tags');
    return tag;
  }

  private exclusivePersonal(): DomainError {
    return new DomainError('UNPROCESSABLE', 'An exclusive group cannot allow personal tags', {
      errors: [{ field: 'allowPersonal', message: 'an exclusive group cannot allow personal tags' }],
    });
  }
}
