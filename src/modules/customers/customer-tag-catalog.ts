import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { CustomerTagDto } from './dto/customer.dto';

interface CatalogTag {
  tag: CustomerTagDto;
  ownerId: string | null;
  /** Place in the order a customer's tags are shown (group, then tag). */
  rank: number;
}

interface Catalog {
  version: number;
  tags: Map<string, CatalogTag>;
}

/**
 * The tag catalog (every tag with its group), kept in memory for naming a list page's tags, checked
 * against the catalog's version (tag_catalog_version, moved on by the database in the transaction of
 * every write to tags or tag groups) that the page's own statement read: a copy at least that recent
 * is used as it is, an older one is read again first. Never a copy older than what the page saw, so a
 * renamed, deleted or newly personal tag shows as the page's statement would have shown it (or newer).
 */
@Injectable()
export class CustomerTagCatalog {
  private catalog?: Catalog;
  private loading?: Promise<Catalog>;

  constructor(private readonly transactions: Transactions) {}

  /**
   * `ids` as `viewerId` sees them (company tags and the viewer's own personal tags; others are left
   * out), in the order a customer's tags are shown; `version`: the catalog version the ids were read at.
   */
  async visible(ids: string[], viewerId: string, version: number): Promise<CustomerTagDto[]> {
    const catalog = await this.atLeast(version);
    return ids
      .map((id) => catalog.tags.get(id))
      .filter((entry): entry is CatalogTag => entry !== undefined && (entry.ownerId === null || entry.ownerId === viewerId))
      .sort((a, b) => a.rank - b.rank)
      .map((entry) => entry.tag);
  }

  private async atLeast(version: number): Promise<Catalog> {
    // A read already under way may have begun before the page's statement (an older version): then
    // one more, begun after it, which sees at least what the page saw.
    for (let reads = 0; ; reads++) {
      if (this.catalog && this.catalog.version >= version) return this.catalog;
      if (reads === 2) throw new Error(`tag catalog still older than version ${version} after a read begun after it`);
      // One read at a time: requests that find the copy old wait for the read under way.
      this.loading ??= this.load().finally(() => (this.loading = undefined));
      const loaded = await this.loading;
      if (!this.catalog || loaded.version > this.catalog.version) this.catalog = loaded;
    }
  }

  /** The version and every tag, in one statement (one snapshot: the tags are the version's). */
  private async load(): Promise<Catalog> {
    const rows = await this.transactions.prepared<{ version: string; id: string | null; name: string; groupId: string; groupName: string; ownerId: string | null }>(
      `SELECT v.version::text AS version, t.id, t.name, g.id AS "groupId", g.name AS "groupName", t.owner_id AS "ownerId"
         FROM tag_catalog_version v
         LEFT JOIN (tags t JOIN tag_groups g ON g.id = t.group_id) ON true
        WHERE v.id = 1
        ORDER BY g.sort_order, g.name, t.sort_order, t.name`,
      [],
    );
    const tags = new Map<string, CatalogTag>();
    rows.forEach(({ id, name, groupId, groupName, ownerId }, rank) => {
      if (id !== null) tags.set(id, { tag: { id, name, groupId, groupName, personal: ownerId !== null }, ownerId, rank });
    });
    return { version: Number(rows[0].version), tags };
  }
}
