import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import { TagEntity, TagGroupEntity } from './tag.entity';

export interface UsableTag {
  id: string;
  name: string;
  groupId: string;
  groupName: string;
  exclusive: boolean;
  personal: boolean;
}

export interface TagChange {
  customerId: string;
  tagId: string;
  change: 'added' | 'removed';
}

@Injectable()
export class TagsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get groups() {
    return this.transactions.manager.getRepository(TagGroupEntity);
  }

  private get tags() {
    return this.transactions.manager.getRepository(TagEntity);
  }

  listGroups(): Promise<TagGroupEntity[]> {
    return this.groups.find({ order: { order: 'ASC', name: 'ASC' } });
  }

  /** Company tags and `viewerId`'s personal tags. */
  listTags(viewerId: string): Promise<TagEntity[]> {
    return this.tags
      .createQueryBuilder('t')
      .where('(t.owner_id IS NULL OR t.owner_id = :viewerId)', { viewerId })
      .orderBy('t.sort_order')
      .addOrderBy('t.name')
      .getMany();
  }

  findGroup(id: string): Promise<TagGroupEntity | null> {
    return this.groups.findOneBy({ id });
  }

  findTag(id: string): Promise<TagEntity | null> {
    return this.tags.findOneBy({ id });
  }

  insertGroup(group: Pick<TagGroupEntity, 'name' | 'nameKey' | 'order' | 'exclusive' | 'allowPersonal'>): Promise<TagGroupEntity> {
    return this.groups.save(this.groups.create(group));
  }

  insertTag(tag: Pick<TagEntity, 'groupId' | 'name' | 'nameKey' | 'order' | 'ownerId'>): Promise<TagEntity> {
    return this.tags.save(this.tags.create(tag));
  }

  async updateGroup(id: string, version: number, changes: Partial<TagGroupEntity>): Promise<TagGroupEntity | null> {
    return (await updateVersioned(this.groups, id, version, changes)) ? this.findGroup(id) : null;
  }

  async updateTag(id: string, version: number, changes: Partial<TagEntity>): Promise<TagEntity | null> {
    return (await updateVersioned(this.tags, id, version, changes)) ? this.findTag(id) : null;
  }

  async countTags(groupId: string): Promise<number> {
    return this.tags.countBy({ groupId });
  }

  /** Tag groups in all (the limit of how many there may be). */
  async countGroups(): Promise<number> {
    const [{ n }]: { n: number }[] = await this.transactions.manager.query('SELECT count(*)::int AS n FROM tag_groups');
    return n;
  }

  /** Tags of one group and owner: the company's (owner null) or one user's personal ones. */
  async countTagsOf(groupId: string, ownerId: string | null): Promise<number> {
    const [{ n }]: { n: number }[] = await this.transactions.manager.query('SELECT count(*)::int AS n FROM tags WHERE group_id = $1 AND owner_id IS NOT DISTINCT FROM $2::uuid', [groupId, ownerId]);
    return n;
  }

  async deleteGroup(id: string): Promise<void> {
    await this.groups.delete({ id });
  }

  async deleteTag(id: string): Promise<void> {
    await this.tags.delete({ id });
  }

  /** Whether some customer carries two or more tags of the group (it cannot become exclusive then). */
  async groupHasMultiTaggedCustomers(groupId: string): Promise<boolean> {
    const rows: unknown[] = await this.transactions.manager.query(
      `SELECT 1 FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.group_id = $1 GROUP BY ct.customer_id HAVING count(*) > 1 LIMIT 1`,
      [groupId],
    );
    return rows.length > 0;
  }

  /** The tags among `ids` that `userId` may use: company tags and their own personal ones. */
  async usableTags(ids: string[], userId: string): Promise<UsableTag[]> {
    return this.transactions.manager.query(
      `SELECT t.id, t.name, g.id AS "groupId", g.name AS "groupName", g.exclusive, t.owner_id IS NOT NULL AS personal
         FROM tags t JOIN tag_groups g ON g.id = t.group_id
        WHERE t.id = ANY($1::uuid[]) AND (t.owner_id IS NULL OR t.owner_id = $2)`,
      [ids, userId],
    );
  }

  /**
   * Adds and removes tags on many customers in one statement. Adding a tag of an exclusive group
   * removes the customer's other tags of that group. Returns each row that changed.
   */
  async change(customerIds: string[], add: string[], remove: string[], exclusiveGroups: string[], actorId: string): Promise<TagChange[]> {
    return this.transactions.manager.query(
      `WITH removed AS (
         DELETE FROM customer_tags ct USING tags t
          WHERE ct.tag_id = t.id AND ct.customer_id = ANY($1::uuid[])
            AND (ct.tag_id = ANY($3::uuid[]) OR (t.group_id = ANY($4::uuid[]) AND ct.tag_id <> ALL($2::uuid[])))
         RETURNING ct.customer_id, ct.tag_id),
       added AS (
         INSERT INTO customer_tags (customer_id, tag_id, added_by)
         SELECT c.id, t.id, $5::uuid FROM unnest($1::uuid[]) AS c(id) CROSS JOIN unnest($2::uuid[]) AS t(id)
         ON CONFLICT (customer_id, tag_id) DO NOTHING
         RETURNING customer_id, tag_id)
       SELECT customer_id AS "customerId", tag_id AS "tagId", 'removed' AS change FROM removed
       UNION ALL
       SELECT customer_id, tag_id, 'added' FROM added`,
      [customerIds, add, remove, exclusiveGroups, actorId],
    );
  }

  async tagIdsOf(customerId: string): Promise<string[]> {
    const rows: { tag_id: string }[] = await this.transactions.manager.query(`SELECT tag_id FROM customer_tags WHERE customer_id = $1`, [customerId]);
    return rows.map((r) => r.tag_id);
  }

  /** Takes a tag off every customer; returns who had it. */
  async untagAll(tagId: string): Promise<string[]> {
    const [rows]: [{ customer_id: string }[], number] = await this.transactions.manager.query(
      `DELETE FROM customer_tags WHERE tag_id = $1 RETURNING customer_id`,
      [tagId],
    );
    return rows.map((r) => r.customer_id);
  }
}
