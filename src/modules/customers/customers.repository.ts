import { Injectable } from '@nestjs/common';
import type { EntityMetadata, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/roles';
import { ListScopeSql } from '../access';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import { CustomerConsentEntity } from './consent.entity';
import type { ContactView } from './contact.entity';
import { CustomerEntity } from './customer.entity';
import { ruleTierJoinsSql } from '../tiers/tier-criteria.sql';
import type { CustomerSort, CustomerTagDto, DuplicateDto, SimilarCustomerDto } from './dto/customer.dto';
import { SHOWN } from '../../common/limits';
import type { DueItemKind, DueListBounds } from './due-list.rules';

export interface DueFollowUpRow {
  kind: DueItemKind;
  /** Review tasks only: the round that asks for the review. */
  roundId: string | null;
  dueAt: Date;
  customerId: string;
  name: string;
  ownerId: string;
  ownerName: string;
  /** False when the owner was deactivated, moved or changed role: the customer awaits a successor. */
  ownerHolds: boolean;
  departmentId: string;
  tierId: string | null;
  tierCode: string | null;
  tierName: string | null;
  preferredChannel: string | null;
  nextFollowUpAt: Date | null;
  lastInteractionAt: Date | null;
  sortKey: string;
}

/** A contact as readAsUser's JSON carries it (ContactView, its times as ISO text). */
type ContactJson = Omit<ContactView, 'leftAt' | 'createdAt' | 'updatedAt'> & { leftAt: string | null; createdAt: string; updatedAt: string };

/** ContactJson's keys and columns, for json_build_object. */
const CONTACT_JSON = [
  ['id', 'id'],
  ['customerId', 'customer_id'],
  ['name', 'name'],
  ['position', 'position'],
  ['mobileEnc', 'mobile_enc'],
  ['emailEnc', 'email_enc'],
  ['wechatEnc', 'wechat_enc'],
  ['isPrimary', 'is_primary'],
  ['status', 'status'],
  ['leftAt', 'left_at'],
  ['version', 'version'],
  ['createdAt', 'created_at'],
  ['updatedAt', 'updated_at'],
]
  .map(([key, column]) => `'${key}', k.${column}`)
  .join(', ');

function contactViewOf(json: ContactJson): ContactView {
  return { ...json, leftAt: json.leftAt === null ? null : new Date(json.leftAt), createdAt: new Date(json.createdAt), updatedAt: new Date(json.updatedAt) };
}

/**
 * The tag of tag row `ct`, as vt (id, name, group_id, group_name, personal, group_order, tag_order),
 * when `viewer` may see it (a company tag or the viewer's own personal tag): looked up by its key
 * for each tag row (LATERAL ... OFFSET 0). As plain joins the planner hashed every tag (2,000 at
 * 1 M) for a few tag rows. readAsUser and tagsOf.
 */
function visibleTagOfRow(viewer: string): string {
  return `CROSS JOIN LATERAL (
              SELECT t.id, t.name, g.id AS group_id, g.name AS group_name, t.owner_id IS NOT NULL AS personal, g.sort_order AS group_order, t.sort_order AS tag_order
                FROM tags t JOIN tag_groups g ON g.id = t.group_id
               WHERE t.id = ct.tag_id AND (t.owner_id IS NULL OR t.owner_id = ${viewer})
              OFFSET 0) vt`;
}

/** The order a customer's tags are shown in: by group, then tag (over visibleTagOfRow's vt). */
const VISIBLE_TAG_ORDER = 'vt.group_order, vt.group_name, vt.tag_order, vt.name';

/** What a read by id needs, from one statement (see CustomersRepository.readAsUser). */
export interface CustomerRead {
  caller: AuthUser;
  customer?: CustomerEntity;
  contacts: ContactView[];
  tags: CustomerTagDto[];
}

export interface DuplicateProbe {
  nameNormalized: string;
  creditCode?: string | null;
  mobileHashes: Buffer[];
  emailHashes: Buffer[];
  /** A customer not to report (the one being changed). */
  excludeId?: string;
  /** A contact whose own mobile and e-mail do not count (the one being changed). */
  excludeContactId?: string;
  /** Only active customers (the duplicate check); otherwise the archive counts too, as for the unique indexes. */
  activeOnly?: boolean;
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
  /** Carries all of these tags. */
  tagIds?: string[];
  /** Carries at least one of these tags. */
  anyTagIds?: string[];
  tierId?: string;
  followUpDue?: boolean;
  /** Also each customer's tag ids and the tag catalog's version (ListedCustomer), to name the page's tags (CustomerTagCatalog). */
  withTagIds?: boolean;
  sort: CustomerListSort;
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

/**
 * With a query and no sort asked for: the name (or short name) that is the query comes first, then
 * those starting with it, then the rest, each by name. A text key (rank digit, then the name), so
 * the keyset cursor works as for the other sorts; it needs `:q` and the search keys `k` (SEARCH_KEYS).
 */
const RELEVANCE = {
  expr:
    `(CASE WHEN k.kn = ${queryKey()} OR k.ks = ${queryKey()} THEN '0'` +
    ` WHEN starts_with(k.kn, ${queryKey()}) OR starts_with(k.ks, ${queryKey()}) THEN '1'` +
    ` ELSE '2' END || c.name)`,
  cast: 'text',
};

/**
 * The query's search key, as a subquery: computed once per execution (an InitPlan) in the prepared
 * statement's generic plan, where `customer_search_key($1)` would be computed again for every row.
 */
function queryKey(): string {
  return '(SELECT customer_search_key(:q))';
}

/**
 * The search keys of each candidate (name and short name: NFKC, lower case), computed once per row
 * (OFFSET 0 keeps the subquery from being flattened, which would copy customer_search_key into every
 * place that uses a key: up to six NFKC normalisations a row, most of a search's execution at 1 M).
 * A LATERAL subquery, wrapped in a join so that the query builder takes it as a joined "table".
 */
const SEARCH_KEYS =
  '((SELECT 1) AS one CROSS JOIN LATERAL (SELECT customer_search_key(c.name) AS kn, customer_search_key(c.short_name) AS ks OFFSET 0) AS keys)';

/** A list row's own columns beside the customer's. */
function listed(raw: Record<string, unknown>): Omit<ListedCustomer, 'customer'> {
  return {
    sortKey: raw.sort_key as string,
    tagIds: (raw.tag_ids as string[] | undefined) ?? [],
    tagCatalogVersion: raw.tag_catalog_version === undefined || raw.tag_catalog_version === null ? undefined : Number(raw.tag_catalog_version),
  };
}

/**
 * Whether a list can first try the prefix indexes (CustomersRepository.prefixPage): a query of two
 * characters, ranked by relevance, across departments (within one, its grams are already few), and
 * a cursor (if any) still among the prefix matches (sort key rank 0 or 1).
 */
function usesPrefixIndexes(filter: CustomerListFilter): boolean {
  return (
    filter.q !== undefined &&
    filter.sort === 'relevance' &&
    searchDepartment(filter) === undefined &&
    [...filter.q.normalize('NFKC').toLowerCase()].length === 2 &&
    (filter.after === undefined || /^[01]/.test(filter.after[0]))
  );
}

/**
 * The one department a list is confined to (a manager's or sales user's scope, or a department
 * filter), if any: a search there reads that department's grams; across departments, the prefix
 * indexes or every gram.
 */
function searchDepartment(filter: CustomerListFilter): string | undefined {
  const department = filter.scope.params.scopeDepartmentId ?? filter.departmentId;
  return typeof department === 'string' ? department : undefined;
}

/** Typo-tolerant trigram matching: for queries of Latin script (no Han characters) of three characters or more. */
export function matchesByTrigrams(q: string): boolean {
  return q.length >= 3 && !/\p{Script=Han}/u.test(q);
}

export type CustomerListSort = CustomerSort | 'relevance';

export interface ListedCustomer {
  customer: CustomerEntity;
  sortKey: string;
  /** Every tag on the customer, whoever may see it (with CustomerListFilter.withTagIds; else empty). */
  tagIds: string[];
  /** The tag catalog's version the statement saw (with CustomerListFilter.withTagIds): see CustomerTagCatalog. */
  tagCatalogVersion?: number;
}

export type CustomerChanges = Partial<Omit<CustomerEntity, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'owner' | 'department'>>;

/**
 * 沟通提醒, as SQL over customers `c`: the next follow-up is the earlier of the last attempt plus the
 * tier's cadence, and the next action's due date. The last attempt is the last interaction (or
 * creation); for an archived customer, the archiving when no interaction came since (the dormant
 * tier's re-activation cadence counts from there). A next action that fell due before the archiving
 * is what the sweep found overdue: not a plan. `lastInteraction` and `nextAction` are the SQL of the
 * values to use (the stored columns, or the new values of the same UPDATE).
 */
function nextFollowUp(lastInteraction: string, nextAction: string): string {
  return `least(
    greatest(coalesce(${lastInteraction}, c.created_at), c.archived_at)
      + make_interval(days => (SELECT t.contact_cadence_days FROM tiers t WHERE t.id = c.tier_id)),
    CASE WHEN c.archived_at IS NULL OR ${nextAction} > c.archived_at THEN ${nextAction} END)`;
}

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

  /**
   * One statement, outside any transaction, for reading a customer by id: the caller (only if
   * active; current role and department), the customer, its contacts (primary first, then active
   * before left, then by name) and the tags the caller may see. Undefined when the user is unknown
   * or deactivated; customer undefined when there is none with that id. A database error is thrown
   * as it is: it is not an unknown user.
   */
  async readAsUser(userId: string, customerId: string): Promise<CustomerRead | undefined> {
    const customerMeta = this.repo.metadata;
    const rows = await this.transactions.prepared<Record<string, unknown>>(this.readAsUserSql(), [userId, customerId]);
    if (rows.length === 0) return undefined;
    const [row] = rows;
    const caller = { id: row.me_id, username: row.me_username, role: row.me_role, departmentId: row.me_department_id } as AuthUser;
    if (row.customer === null) return { caller, contacts: [], tags: [] };
    return {
      caller,
      customer: this.transactions.hydrate<CustomerEntity>(customerMeta, row.customer as Record<string, unknown>, null),
      contacts: ((row.contacts as ContactJson[] | null) ?? []).map(contactViewOf),
      tags: (row.tags as CustomerTagDto[] | null) ?? [],
    };
  }

  /**
   * readAsUser's statement, built once: one row, the customer, its contacts and its tags each as
   * JSON. A row per contact repeated every customer column for the driver to parse, and the
   * customer's 37 columns cost the driver a third more than one JSON value (measured at 1 M; less
   * PostgreSQL CPU too).
   */
  private readAsUserSql(): string {
    this.readAsUserStatement ??= `WITH me AS (SELECT u.id, u.username, u.role, u.department_id FROM users u WHERE u.id = $1 AND u.active)
       SELECT me.id AS me_id, me.username AS me_username, me.role AS me_role, me.department_id AS me_department_id,
              to_json(c) AS customer, tg.tags, ks.contacts
         FROM me
         LEFT JOIN customers c ON c.id = $2
         LEFT JOIN LATERAL (
           -- As a join, an estimate of 10 tag rows per customer (3 at 1 M) had the planner scan all 2,000 tags.
           SELECT json_agg(json_build_object('id', vt.id, 'name', vt.name, 'groupId', vt.group_id, 'groupName', vt.group_name, 'personal', vt.personal)
                           ORDER BY ${VISIBLE_TAG_ORDER}) AS tags
             FROM customer_tags ct ${visibleTagOfRow('me.id')}
            WHERE ct.customer_id = c.id) tg ON true
         LEFT JOIN LATERAL (
           SELECT json_agg(json_build_object(${CONTACT_JSON}) ORDER BY k.is_primary DESC, k.status ASC, k.name ASC, k.id ASC) AS contacts
             FROM contacts k WHERE k.customer_id = c.id) ks ON true`;
    return this.readAsUserStatement;
  }

  private readAsUserStatement: string | undefined;

  /** Compare-and-set on version: null when the customer changed meanwhile. */
  async update(id: string, version: number, changes: CustomerChanges): Promise<CustomerEntity | null> {
    return (await updateVersioned(this.repo, id, version, changes)) ? this.findById(id) : null;
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
        WHERE c.status NOT IN ('deleted', 'merged') AND ($5::uuid IS NULL OR c.id <> $5::uuid)
          AND (NOT $7::boolean OR c.status = 'active')
        ORDER BY c.name, c.id, m.matched_on
        LIMIT ${SHOWN.duplicates}`,
      [probe.nameNormalized, probe.creditCode ?? null, probe.mobileHashes, probe.emailHashes, probe.excludeId ?? null, probe.excludeContactId ?? null, probe.activeOnly === true],
    );
  }

  /** Names at least `threshold` similar (pg_trgm), best first. */
  async similarNames(name: string, threshold: number, limit: number, activeOnly = false): Promise<SimilarCustomerDto[]> {
    const rows: (SimilarCustomerDto & { similarity: string | number })[] = await this.transactions.manager.query(
      `SELECT c.id, c.name, c.owner_id AS "ownerId", u.display_name AS "ownerName", round(similarity(c.name, $1)::numeric, 3) AS similarity
         FROM customers c JOIN users u ON u.id = c.owner_id
        WHERE c.name % $1 AND similarity(c.name, $1) >= $2 AND c.status NOT IN ('deleted', 'merged')
          AND (NOT $4::boolean OR c.status = 'active')
        ORDER BY similarity(c.name, $1) DESC, c.id
        LIMIT $3`,
      [name, threshold, limit, activeOnly],
    );
    return rows.map((row) => ({ ...row, similarity: Number(row.similarity) }));
  }

  async list(filter: CustomerListFilter): Promise<ListedCustomer[]> {
    // A two-character query across departments, by relevance: a page of prefix matches (ranks 0 and
    // 1) from the prefix indexes when there are enough of them after the cursor; they all come before
    // any other match, so that page is the whole answer. Otherwise (too few, or the cursor is past
    // them) the general search below, which ranks every match.
    if (usesPrefixIndexes(filter)) {
      const prefixed = await this.prefixPage(filter);
      if (prefixed.length === filter.limit) return prefixed;
    }
    // Prepared (its text depends only on which filters are present): planning a list over customers
    // cost more than running it. A search too: its query grams are a subquery (an InitPlan), so the
    // planner estimates every query alike, its custom plans cost the same as the generic one, and
    // after five executions each connection keeps the generic plan (the character-pair index, or for
    // a department the ctid lookup above). With the grams folded into a constant, every search was
    // planned anew: ~1-2 ms of PostgreSQL CPU against ~0.4 ms of execution at 1 M.
    const rows = await this.transactions.preparedEntities(this.listQuery(filter));
    return rows.map(({ entity, raw }) => ({ customer: entity, ...listed(raw) }));
  }

  /**
   * The first `limit` matches of ranks 0 and 1 after the cursor, as the general search orders them,
   * in one statement: the top `limit` of the short-name prefix index and of the name prefix index,
   * each with every filter of the list (their union holds the top `limit` of both, ranked by the
   * row's own relevance: a row in both indexes counts once). It takes (rank, name) order in the
   * index to be the order of the text key rank || name, as it is under the embedded database's
   * C.UTF-8 collation; under a linguistic collation (an external DATABASE_URL created with one) the
   * two could differ for names whose first characters the collation ignores.
   */
  private async prefixPage(filter: CustomerListFilter): Promise<ListedCustomer[]> {
    const [shortSql, shortParams] = this.listQuery(filter, 'short_name').getQueryAndParameters();
    const [nameSql, nameParams] = this.listQuery(filter, 'name').getQueryAndParameters();
    const shifted = nameSql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + shortParams.length}`);
    // Each branch's LIMIT is a subquery: the planner then costs it as a tenth of the rows it estimates
    // (a constant LIMIT is costed by the estimate, which for the status filter differs between the
    // custom plan, with the status known, and the generic one). Costed alike, the generic plan is
    // kept after five executions; otherwise every search was planned anew (0.8 ms at 1 M, four
    // times its execution).
    const limit = `LIMIT (SELECT ${filter.limit})`;
    const sql =
      `SELECT DISTINCT ON (u.sort_key, u.c_id) u.* FROM ((${shortSql} ${limit}) UNION ALL (${shifted} ${limit})) AS u ` +
      `ORDER BY u.sort_key, u.c_id LIMIT ${filter.limit}`;
    const rows = await this.transactions.prepared<Record<string, unknown>>(sql, [...shortParams, ...nameParams]);
    const meta = this.repo.metadata;
    return rows.map((raw) => ({ customer: this.transactions.hydrate<CustomerEntity>(meta, raw, 'c'), ...listed(raw) }));
  }

  /**
   * The list's statement. `prefixOf`: instead of every match of the query, those whose short name's
   * (or name's) search key starts with it (a two-character query), in the order of that prefix index.
   */
  private listQuery(filter: CustomerListFilter, prefixOf?: 'short_name' | 'name'): SelectQueryBuilder<CustomerEntity> {
    const descending = filter.sort.startsWith('-');
    const key = filter.sort === 'relevance' ? RELEVANCE : SORT_KEYS[filter.sort.replace(/^-/, '')];
    const qb = this.repo.createQueryBuilder('c').where(filter.scope.where, filter.scope.params);
    if (filter.q && prefixOf) {
      // The index's columns: the key's first two characters, whether it is longer (rank 1) or the
      // query itself (rank 0), the name, the id. char_length guards the two characters (the key is
      // NFKC: the caller's count of them is a hint only); a key of another length finds nothing here.
      const prefix = `left(customer_search_key(c.${prefixOf}), 2)`;
      const longer = `(length(customer_search_key(c.${prefixOf})) > 2)`;
      qb.andWhere(`${prefix} = ${queryKey()} AND char_length(${queryKey()}) = 2`, { q: filter.q });
      qb.innerJoin(SEARCH_KEYS, 'k', 'true');
      if (filter.after) {
        // Implied by the cursor on the row's own relevance below (which is at most this index's
        // rank); as the index's bound it starts the scan at the cursor.
        qb.andWhere(`(${longer}, c.name, c.id) > (CAST(:afterLonger AS boolean), CAST(:afterName AS text), CAST(:afterPrefixId AS uuid))`, {
          afterLonger: filter.after[0].startsWith('1'),
          afterName: filter.after[0].slice(1),
          afterPrefixId: filter.after[1],
        });
      }
      qb.addOrderBy(prefix).addOrderBy(longer).addOrderBy('c.name').addOrderBy('c.id');
    } else if (filter.q) {
      // Substring of the name or short name (NFKC, lower case): every pair of the query's characters
      // is looked up in ix_customers_search_grams, then the substring is checked on those candidates.
      // Within one department (a manager's or sales user's scope, or a department filter) the
      // department's own grams are looked up (its posting lists only), on their own first, and those
      // rows fetched by their address (ctid: the same snapshot, so the same row versions): as a plain
      // condition the planner intersected them with the department's index (46,000 entries at 1 M
      // for ~50 candidates). Across departments the grams are a plain condition: they are the only
      // index for it, and a lookup first would visit each candidate's heap page twice.
      // Latin queries also match by trigram word similarity, for typos; pg_trgm cannot serve a
      // Chinese query of two characters, and a Chinese typo is a different word anyway.
      const department = searchDepartment(filter);
      const trigram = matchesByTrigrams(filter.q) ? ' OR :q <% c.name' : '';
      if (department !== undefined) {
        const grams = `customer_search_grams(s.name, s.short_name, s.department_id) @> (SELECT customer_query_grams(customer_search_key(:q), CAST(:searchDepartmentId AS uuid)))`;
        qb.andWhere(`c.ctid = ANY(ARRAY(SELECT s.ctid FROM customers s WHERE ${grams}${trigram.replace('c.name', 's.name')}))`, {
          q: filter.q,
          searchDepartmentId: department,
        });
      } else {
        // (grams AND substring) OR trigram, written as (grams OR trigram) AND (substring OR trigram):
        // the first half is over c alone, for the indexes; the substring implies the grams.
        qb.andWhere(`(customer_search_grams(c.name, c.short_name, c.department_id) @> (SELECT customer_query_grams(customer_search_key(:q)))${trigram})`, { q: filter.q });
      }
      const substring = `strpos(k.kn, ${queryKey()}) > 0 OR strpos(k.ks, ${queryKey()}) > 0`;
      qb.innerJoin(SEARCH_KEYS, 'k', 'true').andWhere(`(${substring}${trigram})`);
    }
    if (filter.stage) qb.andWhere('c.stage = :stage', { stage: filter.stage });
    if (filter.source) qb.andWhere('c.source = :source', { source: filter.source });
    if (filter.industry) qb.andWhere('c.industry = :industry', { industry: filter.industry });
    if (filter.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.departmentId) qb.andWhere('c.department_id = :departmentId', { departmentId: filter.departmentId });
    if (filter.importance) qb.andWhere('c.importance = :importance', { importance: filter.importance });
    if (filter.updatedSince) qb.andWhere('c.updated_at >= :updatedSince', { updatedSince: filter.updatedSince });
    if (filter.marketableOnly) qb.andWhere(`c.marketing_consent = 'granted'`);
    if (filter.tierId) qb.andWhere('c.tier_id = :tierId', { tierId: filter.tierId });
    if (filter.followUpDue) qb.andWhere('c.next_follow_up_at <= now()');
    // One EXISTS per tag: the planner estimates each well, where a GROUP BY ... HAVING count(*)
    // over all of them misled it (measured at 1 M customers: 110 ms to 20 ms a page).
    // ct.department_id, ct.stage, ct.status and ct.customer_name always equal the customer's (triggers
    // keep them): saying so lets the planner carry the department scope, the stage and the status over
    // to the tag rows and read only (tag, department, stage, status) from
    // ix_customer_tags_tag_department_stage_name, probing only customers that qualify. In name order
    // (the default sort) the name too, and the cursor as the index's bound: one tag row per customer
    // (the primary key), so the planner walks that index in (name, id) order from the cursor and stops
    // after a page (a 45,000-customer department's 2nd page: 123 probes and a sort to 21 probes).
    const byName = key === SORT_KEYS.name;
    const tagRowCursor =
      byName && filter.after ? ` AND (ct.customer_name, ct.customer_id) ${descending ? '<' : '>'} (CAST(:afterKey AS text), CAST(:afterId AS uuid))` : '';
    const sameCustomer = `ct.customer_id = c.id AND ct.department_id = c.department_id AND ct.stage = c.stage AND ct.status = c.status${byName ? ' AND ct.customer_name = c.name' : ''}`;
    [...new Set(filter.tagIds ?? [])].forEach((tagId, i) => {
      qb.andWhere(`EXISTS (SELECT 1 FROM customer_tags ct WHERE ${sameCustomer} AND ct.tag_id = :allTag${i}${tagRowCursor})`, { [`allTag${i}`]: tagId });
    });
    if (filter.anyTagIds?.length) {
      qb.andWhere(`EXISTS (SELECT 1 FROM customer_tags ct WHERE ${sameCustomer} AND ct.tag_id = ANY(:anyTags))`, {
        anyTags: filter.anyTagIds,
      });
    }
    if (filter.after) {
      qb.andWhere(`(${key.expr}, c.id) ${descending ? '<' : '>'} (CAST(:afterKey AS ${key.cast}), CAST(:afterId AS uuid))`, {
        afterKey: filter.after[0],
        afterId: filter.after[1],
      });
    }
    const direction = descending ? 'DESC' : 'ASC';
    qb.addSelect(`(${key.expr})::text`, 'sort_key');
    // Read with the page, by the primary key (customer_id, tag_id) alone, and the catalog version in
    // the same snapshot: the names come from the catalog kept in memory (CustomerTagCatalog), not
    // from another statement (a second pass over the page's tag rows cost as much as the page).
    if (filter.withTagIds) {
      qb.addSelect('ARRAY(SELECT pt.tag_id FROM customer_tags pt WHERE pt.customer_id = c.id)', 'tag_ids');
      qb.addSelect('(SELECT v.version FROM tag_catalog_version v WHERE v.id = 1)', 'tag_catalog_version');
    }
    if (!prefixOf) qb.orderBy(key.expr, direction).addOrderBy('c.id', direction).limit(filter.limit);
    return qb;
  }

  /**
   * Archives, in one statement, every active customer with no sign of life for `days` days, nothing
   * planned, and no open complaint nor one resolved in the last 30 days: each moves to the dormant
   * tier (its pin, if any, ends) with a tier history row giving `reason`. Returns what changed.
   */
  async archiveDormant(days: number, reason: string): Promise<{ id: string; version: number; fromTierId: string | null; toTierId: string | null }[]> {
    return this.transactions.manager.query(
      `WITH stale AS (
         SELECT c.id, c.tier_id FROM customers c
          WHERE c.status = 'active'
            AND greatest(coalesce(c.last_interaction_at, c.created_at), coalesce(c.reactivated_at, c.created_at)) < now() - make_interval(days => $1)
            AND (c.next_action_due_at IS NULL OR c.next_action_due_at < now())
            -- A complaint in hand, or one settled within 30 days, is a live relationship.
            AND NOT EXISTS (SELECT 1 FROM complaints k WHERE k.customer_id = c.id
                              AND (k.status IN ('received', 'assigned', 'in_progress') OR k.resolved_at > now() - interval '30 days'))
          FOR UPDATE OF c
       ), archived AS (
         UPDATE customers c
            SET status = 'dormant', archived_at = now(), version = c.version + 1, updated_at = now(),
                tier_id = coalesce((SELECT t.id FROM tiers t WHERE t.code = 'dormant'), c.tier_id), tier_pinned = false, tier_pinned_until = NULL
           FROM stale WHERE c.id = stale.id
         RETURNING c.id, c.version, stale.tier_id AS from_tier_id, c.tier_id AS to_tier_id
       ), history AS (
         INSERT INTO customer_tier_changes (customer_id, from_tier_id, to_tier_id, pinned, reason, changed_by)
         SELECT a.id, a.from_tier_id, a.to_tier_id, false, $2, NULL FROM archived a WHERE a.to_tier_id IS NOT NULL
       )
       SELECT id, version, from_tier_id AS "fromTierId", to_tier_id AS "toTierId" FROM archived ORDER BY id`,
      [days, reason],
    );
  }

  /**
   * For a customer leaving the archive (reactivation, or anything else that brings it back): from the
   * dormant tier to the tier the rules give now (tiers' `criteriaMetSql`; the default tier when none
   * matches), its pin cleared, with a tier history row giving `reason`, and its follow-up date
   * recomputed. One statement and the follow-up refresh; call it in the transaction that
   * reactivates (it does not bump the version again). Returns the change, or null when the tier stays.
   */
  async restoreRuleTier(customerId: string, reason: string, changedBy: string | null): Promise<{ fromTierId: string | null; toTierId: string } | null> {
    const rows: { fromTierId: string | null; toTierId: string }[] = await this.transactions.manager.query(
      `WITH target AS (
         SELECT c.id, c.tier_id AS from_tier_id, coalesce(best.id, (SELECT t.id FROM tiers t WHERE t.code = 'ordinary'), c.tier_id) AS to_tier_id
           FROM customers c ${ruleTierJoinsSql('c')}
          WHERE c.id = $1
       ), moved AS (
         UPDATE customers c SET tier_id = target.to_tier_id, tier_pinned = false, tier_pinned_until = NULL
           FROM target WHERE c.id = target.id
         RETURNING target.from_tier_id, target.to_tier_id
       ), history AS (
         INSERT INTO customer_tier_changes (customer_id, from_tier_id, to_tier_id, pinned, reason, changed_by)
         SELECT $1, m.from_tier_id, m.to_tier_id, false, $2, $3::uuid FROM moved m WHERE m.to_tier_id IS DISTINCT FROM m.from_tier_id
       )
       SELECT from_tier_id AS "fromTierId", to_tier_id AS "toTierId" FROM moved`,
      [customerId, reason, changedBy],
    );
    await this.refreshFollowUps([customerId]);
    const change = rows[0];
    return change && change.toTierId && change.toTierId !== change.fromTierId ? change : null;
  }

  /**
   * An interaction moves the last interaction and (when it is the latest) the next action, and the
   * next follow-up with them, as refreshFollowUps computes it, in one statement: every SET sees the
   * old row, so the new last interaction and next action are spelled out where the follow-up uses them.
   */
  async recordInteraction(customerId: string, occurredAt: Date, nextActionDueAt: Date | null): Promise<void> {
    const nextAction = `(CASE WHEN $2::timestamptz >= coalesce(c.last_interaction_at, '-infinity') THEN $3::timestamptz ELSE c.next_action_due_at END)`;
    const lastInteraction = `greatest(c.last_interaction_at, $2::timestamptz)`;
    await this.transactions.manager.query(
      `UPDATE customers c
          SET next_action_due_at = ${nextAction},
              last_interaction_at = ${lastInteraction},
              next_follow_up_at = ${nextFollowUp(lastInteraction, nextAction)}
        WHERE c.id = $1`,
      [customerId, occurredAt, nextActionDueAt],
    );
  }

  /** Recomputes the next follow-up (nextFollowUp) from the stored row, one statement for any number of customers. */
  async refreshFollowUps(customerIds: string[]): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE customers c
          SET next_follow_up_at = ${nextFollowUp('c.last_interaction_at', 'c.next_action_due_at')}
        WHERE c.id = ANY($1::uuid[])`,
      [customerIds],
    );
  }

  /** The customer's interaction records that were corrected (version above 1), for its history. */
  async correctedInteractionIds(customerId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.transactions.manager.query(`SELECT id FROM interactions WHERE customer_id = $1 AND version > 1`, [customerId]);
    return rows.map((r) => r.id);
  }

  async mergedInto(survivorId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.transactions.manager.query(`SELECT id FROM customers WHERE merged_into_id = $1`, [survivorId]);
    return rows.map((r) => r.id);
  }

  /** The tier new customers start in. */
  async defaultTierId(): Promise<string | null> {
    const rows: { id: string }[] = await this.transactions.manager.query(`SELECT id FROM tiers WHERE code = 'ordinary'`);
    return rows[0]?.id ?? null;
  }

  /**
   * Tags of these customers as `viewerId` sees them: company tags and the viewer's own personal tags,
   * each looked up by key (visibleTagOfRow; as joins, a page's ~60 tag rows took 1.3 ms against 0.7 ms).
   */
  async tagsOf(customerIds: string[], viewerId: string): Promise<Map<string, CustomerTagDto[]>> {
    const rows: (CustomerTagDto & { customerId: string })[] = customerIds.length
      ? await this.transactions.prepared(
          `SELECT ct.customer_id AS "customerId", vt.id, vt.name, vt.group_id AS "groupId", vt.group_name AS "groupName", vt.personal
             FROM customer_tags ct ${visibleTagOfRow('$2')}
            WHERE ct.customer_id = ANY($1::uuid[])
            ORDER BY ${VISIBLE_TAG_ORDER}`,
          [customerIds, viewerId],
        )
      : [];
    const byCustomer = new Map<string, CustomerTagDto[]>();
    for (const { customerId, ...tag } of rows) byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), tag]);
    return byCustomer;
  }

  /**
   * The tags among `ids` that `viewerId` may see (company tags and the viewer's own personal tags),
   * in the order a customer's tags are shown (group, then tag): a list page's tags in one lookup of
   * its distinct tags, and the check of the tags a list filters by.
   */
  async visibleTags(ids: string[], viewerId: string): Promise<CustomerTagDto[]> {
    if (ids.length === 0) return [];
    return this.transactions.prepared<CustomerTagDto>(
      `SELECT t.id, t.name, g.id AS "groupId", g.name AS "groupName", t.owner_id IS NOT NULL AS personal
         FROM tags t CROSS JOIN LATERAL (SELECT * FROM tag_groups g WHERE g.id = t.group_id OFFSET 0) g
        WHERE t.id = ANY($1::uuid[]) AND (t.owner_id IS NULL OR t.owner_id = $2)
        ORDER BY g.sort_order, g.name, t.sort_order, t.name`,
      [ids, viewerId],
    );
  }

  /** Tag ids among `ids` that are somebody else's personal tags: their names are not `viewerId`'s to read. */
  async othersPersonalTagIds(ids: string[], viewerId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.transactions.prepared(
      `SELECT id FROM tags WHERE id = ANY($1::uuid[]) AND owner_id IS NOT NULL AND owner_id <> $2`,
      [ids, viewerId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The due list, in one statement: customers due for contact by `before` and open review tasks
   * (of active customers) due by then, in the caller's scope, by due time, kind, customer, round.
   * Each half is a keyset walk of its own index (customers: ix_customers_*follow_up; review tasks:
   * ix_review_tasks_*_open) cut at `limit`, and the union is cut again. Review tasks are issue 17's
   * table; they are read here (not through the reviews module, which sits above customers) because
   * the list is one statement.
   */
  async dueItems(filter: {
    scope: ListScopeSql;
    ownerId?: string;
    departmentId?: string;
    before: string;
    kinds: readonly DueItemKind[];
    after?: DueListBounds;
    limit: number;
  }): Promise<DueFollowUpRow[]> {
    const columns = `c.id AS "customerId", c.name, c.owner_id AS "ownerId", u.display_name AS "ownerName",
              (u.active AND u.department_id = c.department_id AND u.role IN ('sales', 'manager', 'admin')) AS "ownerHolds",
              c.department_id AS "departmentId", t.id AS "tierId", t.code AS "tierCode", t.name AS "tierName", t.preferred_channel AS "preferredChannel",
              c.next_follow_up_at AS "nextFollowUpAt", c.last_interaction_at AS "lastInteractionAt"`;
    const joins = `JOIN users u ON u.id = c.owner_id LEFT JOIN tiers t ON t.id = c.tier_id`;
    const parts: string[] = [];
    if (filter.kinds.includes('follow_up')) {
      const where = [`(${filter.scope.where})`, `c.next_follow_up_at <= CAST(:before AS timestamptz)`];
      if (filter.ownerId) where.push(`c.owner_id = CAST(:ownerId AS uuid)`);
      if (filter.departmentId) where.push(`c.department_id = CAST(:departmentId AS uuid)`);
      if (filter.after) where.push(`(c.next_follow_up_at, c.id) > (CAST(:fAt AS timestamptz), CAST(:fId AS uuid))`);
      parts.push(
        `(SELECT 'follow_up'::text AS kind, NULL::uuid AS "roundId", c.next_follow_up_at AS "dueAt", c.next_follow_up_at::text AS "sortKey", ${columns}
            FROM customers c ${joins}
           WHERE ${where.join(' AND ')}
           ORDER BY c.next_follow_up_at, c.id LIMIT :limit)`,
      );
    }
    if (filter.kinds.includes('review')) {
      // The task's own owner and department (kept equal to the customer's by transfers) pick the index; the customer's make the scope exact.
      const where = [`r.done_at IS NULL`, `c.status = 'active'`, `(${filter.scope.where})`, `r.due_at <= CAST(:before AS timestamptz)`];
      if (filter.ownerId) where.push(`r.owner_id = CAST(:ownerId AS uuid) AND c.owner_id = CAST(:ownerId AS uuid)`);
      if (filter.departmentId) where.push(`r.department_id = CAST(:departmentId AS uuid) AND c.department_id = CAST(:departmentId AS uuid)`);
      if (filter.after) {
        const op = filter.after.review.op === '>=' ? '>=' : '>';
        where.push(`(r.due_at, r.customer_id, r.round_id) ${op} (CAST(:rAt AS timestamptz), CAST(:rCustomer AS uuid), CAST(:rRound AS uuid))`);
      }
      parts.push(
        `(SELECT 'review'::text AS kind, r.round_id AS "roundId", r.due_at AS "dueAt", r.due_at::text AS "sortKey", ${columns}
            FROM review_tasks r JOIN customers c ON c.id = r.customer_id ${joins}
           WHERE ${where.join(' AND ')}
           ORDER BY r.due_at, r.customer_id, r.round_id LIMIT :limit)`,
      );
    }
    if (parts.length === 0) return Promise.resolve([]);
    const sql = `SELECT * FROM (${parts.join(' UNION ALL ')}) due ORDER BY "dueAt", kind, "customerId", "roundId" NULLS FIRST LIMIT :limit`;
    const [query, values] = this.transactions.manager.connection.driver.escapeQueryWithParameters(sql, {
      ...filter.scope.params,
      before: filter.before,
      ownerId: filter.ownerId,
      departmentId: filter.departmentId,
      fAt: filter.after?.followUp.dueAt,
      fId: filter.after?.followUp.customerId,
      rAt: filter.after?.review.dueAt,
      rCustomer: filter.after?.review.customerId,
      rRound: filter.after?.review.roundId,
      limit: filter.limit,
    });
    return this.transactions.manager.query(query, values);
  }

  async insertConsent(consent: Omit<CustomerConsentEntity, 'id' | 'recordedAt' | 'customer'>): Promise<CustomerConsentEntity> {
    const repo = this.transactions.manager.getRepository(CustomerConsentEntity);
    return repo.save(repo.create(consent));
  }

  listConsents(customerId: string): Promise<CustomerConsentEntity[]> {
    return this.transactions.manager.getRepository(CustomerConsentEntity).find({ where: { customerId }, order: { recordedAt: 'DESC', id: 'DESC' }, take: SHOWN.consents });
  }
}
