/**
 * The bulk phases: reference data (departments, users, tags), then customers with their contacts,
 * interactions and tags, then complaints. Rows are generated in Node (personal data must be
 * encrypted with the service's own cipher) and written a batch per statement through
 * INSERT ... SELECT FROM unnest(...); interactions are expanded in SQL with generate_series.
 */
import { hash as argon2Hash } from '@node-rs/argon2';
import type { ClientBase as Client } from 'pg';
import { PiiCipher } from '../../src/common/crypto/pii-cipher';
import { contactPiiPlace, type ContactPiiField } from '../../src/modules/customers/contact-codec';
import { tagNameKey } from '../../src/modules/tags/tags.rules';
import {
  complaintAt,
  Contact,
  contactsAt,
  Customer,
  customerAt,
  EXCLUSIVE_TAG_GROUPS,
  iso,
  SeedDepartment,
  SeedUser,
  SeedWorld,
  TAG_GROUPS,
  TAGS_PER_GROUP,
  tagsAt,
  TIER_CODES,
  TierCode,
} from './model';
import { rngFor } from './random';
import * as V from './vocabulary';

/** Lets the event loop answer the database between slices of CPU work, so both stay busy. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export const SALES_PER_DEPARTMENT = 18;
const FUNCTIONAL_USERS: [role: SeedUser['role'], prefix: string, count: number, department: string][] = [
  ['service', 'service', 8, '客户服务部'],
  ['marketing', 'marketing', 6, '市场部'],
  ['auditor', 'auditor', 4, '审计部'],
  ['admin', 'sysadmin', 2, 'Administration'],
];

export interface Reference {
  departments: SeedDepartment[];
  users: SeedUser[];
  serviceIds: string[];
  tiers: SeedWorld['tiers'];
  tagIds: string[];
  /** Departments and users created by this run, for their audit records. */
  createdDepartments: { id: string; name: string }[];
  createdUsers: (SeedUser & { displayName: string; departmentId: string })[];
}

/**
 * 20 sales departments (a manager and 18 sales each) and the service, marketing, audit and
 * administration staff: 400 users sharing one password, hashed once. Existing ones (a previous
 * run) are reused by name.
 */
export async function seedReference(db: Client, world: Pick<SeedWorld, 'seed' | 'startMs'>, password: string): Promise<Reference> {
  const passwordHash = await argon2Hash(password);
  const createdAt = new Date(world.startMs - 2 * 86_400_000).toISOString();
  const departmentNames = [...V.DEPARTMENT_NAMES, ...new Set(FUNCTIONAL_USERS.map((f) => f[3]))];
  const createdDepartments: { id: string; name: string }[] = await db
    .query(
      `INSERT INTO departments (name, created_at, updated_at) SELECT name, $2, $2 FROM unnest($1::text[]) AS name
       ON CONFLICT DO NOTHING RETURNING id, name`,
      [departmentNames, createdAt],
    )
    .then((r) => r.rows);
  const departmentIds = new Map<string, string>(
    (await db.query(`SELECT id, name FROM departments WHERE name = ANY($1::text[])`, [departmentNames])).rows.map((d) => [d.name, d.id]),
  );

  const r = rngFor(world.seed, 99, 0);
  const wanted: { username: string; displayName: string; role: SeedUser['role']; departmentId: string }[] = [];
  V.DEPARTMENT_NAMES.forEach((name, d) => {
    const departmentId = departmentIds.get(name)!;
    const dd = String(d + 1).padStart(2, '0');
    wanted.push({ username: `manager${dd}`, displayName: personOf(r), role: 'manager', departmentId });
    for (let s = 1; s <= SALES_PER_DEPARTMENT; s++) {
      wanted.push({ username: `sales${dd}.${String(s).padStart(2, '0')}`, displayName: personOf(r), role: 'sales', departmentId });
    }
  });
  for (const [role, prefix, count, department] of FUNCTIONAL_USERS) {
    for (let i = 1; i <= count; i++) {
      wanted.push({ username: `${prefix}${String(i).padStart(2, '0')}`, displayName: personOf(r), role, departmentId: departmentIds.get(department)! });
    }
  }
  const inserted: { id: string; username: string }[] = (
    await db.query(
      `INSERT INTO users (username, display_name, password_hash, role, department_id, created_at, updated_at)
       SELECT u.username, u.display_name, $5, u.role, u.department_id, $6, $6
         FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[]) AS u(username, display_name, role, department_id)
       ON CONFLICT DO NOTHING RETURNING id, username`,
      [wanted.map((u) => u.username), wanted.map((u) => u.displayName), wanted.map((u) => u.role), wanted.map((u) => u.departmentId), passwordHash, createdAt],
    )
  ).rows;
  const ids = new Map<string, string>(
    (await db.query(`SELECT id, username FROM users WHERE username = ANY($1::text[])`, [wanted.map((u) => u.username)])).rows.map((u) => [u.username, u.id]),
  );
  const users: SeedUser[] = wanted.map((u) => ({ id: ids.get(u.username)!, username: u.username, role: u.role }));
  const departments: SeedDepartment[] = V.DEPARTMENT_NAMES.map((name, d) => {
    const dd = String(d + 1).padStart(2, '0');
    return {
      id: departmentIds.get(name)!,
      name,
      managerId: ids.get(`manager${dd}`)!,
      salesIds: Array.from({ length: SALES_PER_DEPARTMENT }, (_, s) => ids.get(`sales${dd}.${String(s + 1).padStart(2, '0')}`)!),
    };
  });
  const insertedNames = new Set(inserted.map((u) => u.username));

  const tierRows: { id: string; code: string; cadence: number }[] = (
    await db.query(`SELECT id, code, contact_cadence_days AS cadence FROM tiers WHERE code = ANY($1::text[])`, [TIER_CODES])
  ).rows;
  if (tierRows.length !== TIER_CODES.length) throw new Error(`the default tiers (${TIER_CODES.join(', ')}) are missing: was the database migrated?`);
  const tiers = Object.fromEntries(tierRows.map((t) => [t.code, { id: t.id, cadenceDays: t.cadence }])) as Record<TierCode, { id: string; cadenceDays: number }>;

  const groupNames = Array.from({ length: TAG_GROUPS }, (_, g) => {
    const theme = V.TAG_GROUP_THEMES[g % V.TAG_GROUP_THEMES.length];
    return g < V.TAG_GROUP_THEMES.length ? theme : `${theme}（二）`;
  });
  await db.query(
    `INSERT INTO tag_groups (name, name_key, sort_order, exclusive, allow_personal, created_at, updated_at)
     SELECT g.name, g.name_key, g.ord, g.ord < $3, false, $4, $4 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS g(name, name_key, ord)
     ON CONFLICT DO NOTHING`,
    [groupNames, groupNames.map(tagNameKey), EXCLUSIVE_TAG_GROUPS + 1, createdAt],
  );
  const groupIds = new Map<string, string>(
    (await db.query(`SELECT id, name_key FROM tag_groups WHERE name_key = ANY($1::text[])`, [groupNames.map(tagNameKey)])).rows.map((g) => [g.name_key, g.id]),
  );
  const tagGroup: string[] = [];
  const tagNames: string[] = [];
  for (let g = 0; g < TAG_GROUPS; g++) {
    for (let t = 0; t < TAGS_PER_GROUP; t++) {
      tagGroup.push(groupIds.get(tagNameKey(groupNames[g]))!);
      tagNames.push(V.TAG_WORDS[t]);
    }
  }
  await db.query(
    `INSERT INTO tags (group_id, name, name_key, sort_order, created_at, updated_at)
     SELECT t.group_id, t.name, lower(t.name), (t.ord - 1) % $3, $4, $4 FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(group_id, name, ord)
     ON CONFLICT DO NOTHING`,
    [tagGroup, tagNames, TAGS_PER_GROUP, createdAt],
  );
  const tagIdByKey = new Map<string, string>(
    (await db.query(`SELECT id, group_id, name_key FROM tags WHERE owner_id IS NULL AND group_id = ANY($1::uuid[])`, [[...groupIds.values()]])).rows.map((t) => [
      `${t.group_id}/${t.name_key}`,
      t.id,
    ]),
  );
  const tagIds = tagGroup.map((group, i) => tagIdByKey.get(`${group}/${tagNameKey(tagNames[i])}`)!);

  return {
    departments,
    users,
    serviceIds: users.filter((u) => u.role === 'service').map((u) => u.id),
    tiers,
    tagIds,
    createdDepartments,
    createdUsers: wanted
      .filter((u) => insertedNames.has(u.username))
      .map((u) => ({ id: ids.get(u.username)!, username: u.username, role: u.role, displayName: u.displayName, departmentId: u.departmentId })),
  };
}

function personOf(r: () => number): string {
  return V.SURNAMES[Math.floor(r() * V.SURNAMES.length)] + V.GIVEN_NAMES[Math.floor(r() * V.GIVEN_NAMES.length)];
}

const INSERT_CUSTOMERS = `
  INSERT INTO customers (id, name, name_normalized, short_name, kind, industry, scale, source, stage, importance, needs, notes,
                         credit_code, owner_id, department_id, status, archived_at, last_interaction_at, next_follow_up_at,
                         marketing_consent, created_by, version, created_at, updated_at, tier_id, annual_revenue,
                         cooperation_since, potential_score, next_action_due_at)
  SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[],
                       $8::varchar[], $9::varchar[], $10::smallint[], $11::jsonb[], $12::text[], $13::varchar[], $14::uuid[],
                       $15::uuid[], $16::varchar[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::varchar[],
                       $21::uuid[], $22::int[], $23::timestamptz[], $24::timestamptz[], $25::uuid[], $26::numeric[], $27::date[],
                       $28::smallint[], $29::timestamptz[])`;

const INSERT_CONTACTS = `
  INSERT INTO contacts (id, customer_id, name, position, mobile_enc, mobile_hash, email_enc, email_hash, wechat_enc, wechat_hash,
                        is_primary, status, left_at, created_at, updated_at)
  SELECT c.id, c.customer_id, c.name, c.position, c.mobile_enc, decode(c.mobile_hash, 'hex'), c.email_enc, decode(c.email_hash, 'hex'),
         c.wechat_enc, decode(c.wechat_hash, 'hex'), c.is_primary, c.status, c.left_at, c.created_at, coalesce(c.left_at, c.created_at)
    FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::text[], $11::boolean[], $12::varchar[], $13::timestamptz[], $14::timestamptz[])
      AS c(id, customer_id, name, position, mobile_enc, mobile_hash, email_enc, email_hash, wechat_enc, wechat_hash, is_primary,
           status, left_at, created_at)`;

// Each customer's interactions: evenly spread between its first and last contact (with jitter),
// the last one exactly at last_interaction_at and carrying the planned next action.
const INSERT_INTERACTIONS = `
  INSERT INTO interactions (customer_id, author_id, occurred_at, channel, contact_id, summary, feedback, agreements, next_action,
                            next_action_due_at, created_at, updated_at)
  SELECT p.customer_id, p.author_id, t.at,
         (ARRAY['phone','email','visit','meeting','wecom','social','online'])[1 + floor(random() * 7)::int],
         p.contact_id,
         ($8::text[])[1 + floor(random() * cardinality($8::text[]))::int],
         ($9::text[])[1 + floor(random() * cardinality($9::text[]))::int],
         CASE WHEN random() < 0.3 THEN '双方确认下一步推进计划' END,
         CASE WHEN j = p.k AND p.due_at IS NOT NULL THEN ($10::text[])[1 + floor(random() * cardinality($10::text[]))::int] END,
         CASE WHEN j = p.k THEN p.due_at END,
         t.at, t.at
    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::timestamptz[])
           AS p(customer_id, author_id, contact_id, first_at, last_at, k, due_at)
    CROSS JOIN LATERAL generate_series(1, p.k) AS j
    CROSS JOIN LATERAL (SELECT CASE WHEN j = p.k THEN p.last_at
                                    ELSE p.first_at + (p.last_at - p.first_at) * ((j - 1 + random() * 0.9) / p.k) END AS at) t`;

const INSERT_CUSTOMER_TAGS = `
  INSERT INTO customer_tags (customer_id, tag_id, added_by, added_at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[])`;

class Columns {
  readonly data: unknown[][];
  constructor(count: number) {
    this.data = Array.from({ length: count }, () => []);
  }
  push(...values: unknown[]): void {
    for (let i = 0; i < values.length; i++) this.data[i].push(values[i]);
  }
  get length(): number {
    return this.data[0].length;
  }
}

interface CustomerBatch {
  customers: Columns;
  contacts: Columns;
  interactions: Columns;
  tags: Columns;
}

async function buildCustomerBatch(world: SeedWorld, cipher: PiiCipher, from: number, to: number): Promise<CustomerBatch> {
  const started = process.hrtime.bigint();
  const batch: CustomerBatch = { customers: new Columns(29), contacts: new Columns(14), interactions: new Columns(7), tags: new Columns(4) };
  const seal = (contactId: string, field: ContactPiiField, value: string | null): [string | null, string | null] =>
    value === null ? [null, null] : [cipher.encrypt(value, contactPiiPlace(contactId, field)), cipher.lookupHash(value).toString('hex')];
  for (let n = from; n < to; n++) {
    if ((n - from) % 1000 === 999) await yieldToLoop();
    const c: Customer = customerAt(world, n);
    batch.customers.push(
      c.id, c.name, c.nameNormalized, c.shortName, c.kind, c.industry, c.scale, c.source, c.stage, c.importance, JSON.stringify(c.needs),
      c.notes, c.creditCode, c.ownerId, c.departmentId, c.status, iso(c.archivedAt), iso(c.lastInteractionAt), iso(c.nextFollowUpAt),
      c.marketingConsent, c.ownerId, c.version, iso(c.createdAt), iso(c.updatedAt), world.tiers[c.tier].id, c.annualRevenue,
      c.cooperationSince, c.potentialScore, iso(c.nextActionDueAt),
    );
    const contacts: Contact[] = contactsAt(world, c);
    for (const k of contacts) {
      batch.contacts.push(
        k.id, c.id, k.name, k.position, ...seal(k.id, 'mobile', k.mobile), ...seal(k.id, 'email', k.email), ...seal(k.id, 'wechatId', k.wechatId), k.isPrimary, k.status, iso(k.leftAt), iso(c.createdAt),
      );
    }
    if (c.interactionCount > 0) {
      batch.interactions.push(c.id, c.ownerId, contacts[0].id, iso(c.firstInteractionAt), iso(c.lastInteractionAt), c.interactionCount, iso(c.nextActionDueAt));
    }
    for (const tag of tagsAt(world, n)) batch.tags.push(c.id, world.tagIds[tag], c.ownerId, iso(c.createdAt));
  }
  statementTimes.set('generate customers (node)', (statementTimes.get('generate customers (node)') ?? 0) + Number(process.hrtime.bigint() - started) / 1e6);
  return batch;
}

/** Time spent in each statement, printed with SEED_PROFILE=1. */
export const statementTimes = new Map<string, number>();

export async function profiled<T>(label: string, work: Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    return await work;
  } finally {
    statementTimes.set(label, (statementTimes.get(label) ?? 0) + Number(process.hrtime.bigint() - started) / 1e6);
  }
}

/** Customers and their contacts: what interactions and tags refer to. */
async function writeCustomers(db: Client, batch: CustomerBatch): Promise<void> {
  await profiled('customers', db.query(INSERT_CUSTOMERS, batch.customers.data));
  await profiled('contacts', db.query(INSERT_CONTACTS, batch.contacts.data));
}

async function writeActivity(db: Client, batch: CustomerBatch): Promise<number> {
  const { rowCount } = await profiled(
    'interactions',
    db.query(INSERT_INTERACTIONS, [...batch.interactions.data, V.INTERACTION_SUMMARIES, V.INTERACTION_FEEDBACK.filter((f) => f !== null), V.NEXT_ACTIONS]),
  );
  await profiled('customer_tags', db.query(INSERT_CUSTOMER_TAGS, batch.tags.data));
  return rowCount ?? 0;
}

export interface CustomerTotals {
  customers: number;
  contacts: number;
  interactions: number;
  customerTags: number;
}

/**
 * Customers, contacts, interactions and tags, `batchSize` customers per round, on two connections
 * so that both cores work: one writes batch k's customers and contacts while the other writes
 * batch k-1's interactions and tags, and Node generates (and encrypts) batch k+1 meanwhile.
 */
export async function seedCustomers(
  connections: [Client, Client],
  world: SeedWorld,
  cipher: PiiCipher,
  batchSize: number,
  progress: (done: number, totals: CustomerTotals) => void,
): Promise<CustomerTotals> {
  const [first, second] = connections;
  const totals: CustomerTotals = { customers: 0, contacts: 0, interactions: 0, customerTags: 0 };
  let customersWritten: Promise<void> = Promise.resolve();
  let activityWritten: Promise<void> = Promise.resolve();
  for (let from = 0; from < world.customers; from += batchSize) {
    const to = Math.min(world.customers, from + batchSize);
    const batch = await buildCustomerBatch(world, cipher, from, to);
    await customersWritten;
    customersWritten = writeCustomers(first, batch);
    customersWritten.catch(() => undefined); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    const previousActivity = activityWritten;
    const parents = customersWritten;
    activityWritten = Promise.all([previousActivity, parents])
      .then(() => writeActivity(second, batch))
      .then((interactions) => {
        totals.customers += batch.customers.length;
        totals.contacts += batch.contacts.length;
        totals.interactions += interactions;
        totals.customerTags += batch.tags.length;
        progress(to, totals);
      });
    activityWritten.catch(() => undefined);
    // Keeps at most one batch of activity queued behind the one being written.
    await previousActivity;
  }
  await customersWritten;
  await activityWritten;
  return totals;
}

const INSERT_COMPLAINTS = `
  WITH k AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::text[], $8::text[],
                         $9::varchar[], $10::timestamptz[], $11::timestamptz[], $12::varchar[], $13::uuid[], $14::timestamptz[],
                         $15::uuid[], $16::boolean[], $17::timestamptz[], $18::text[], $19::int[], $20::timestamptz[], $21::boolean[],
                         $22::timestamptz[], $23::smallint[], $24::timestamptz[], $25::uuid[], $26::timestamptz[])
      AS k(id, customer_id, channel, category, severity, title, description, customer_demand, customer_mood, received_at, due_at,
           status, assignee_id, escalated_at, escalated_to_id, breached, resolved_at, resolution, resolution_working_minutes,
           follow_up_due_at, follow_up_overdue, verified_at, satisfaction, closed_at, created_by, updated_at)),
  inserted AS (
    INSERT INTO complaints (id, customer_id, channel, category, severity, title, description, customer_demand, customer_mood, received_at,
                            due_at, follow_up_hours, status, assignee_id, escalated_at, escalated_to_id, escalated_to_ids, breached, resolved_at, resolution,
                            resolution_working_minutes, follow_up_due_at, follow_up_overdue, verified_at, satisfaction, closed_at,
                            created_by, version, created_at, updated_at)
    SELECT id, customer_id, channel, category, severity, title, description, customer_demand, customer_mood, received_at, due_at, 48,
           status, assignee_id, escalated_at, escalated_to_id, CASE WHEN escalated_to_id IS NULL THEN '{}'::uuid[] ELSE ARRAY[escalated_to_id] END, breached, resolved_at, resolution, resolution_working_minutes,
           follow_up_due_at, follow_up_overdue, verified_at, satisfaction, closed_at, created_by, 1, received_at, updated_at
      FROM k
    RETURNING id)
  INSERT INTO complaint_events (complaint_id, occurred_at, actor_id, event, from_status, to_status, detail)
  SELECT k.id, k.received_at, k.created_by, 'received', NULL, 'received', jsonb_build_object('severity', k.severity)
    FROM k JOIN inserted USING (id)`;

/** Complaints (one in ten customers), each with its 'received' timeline event. */
export async function seedComplaints(db: Client, world: SeedWorld, count: number, batchSize: number): Promise<number> {
  let writing: Promise<void> = Promise.resolve();
  for (let from = 0; from < count; from += batchSize) {
    const to = Math.min(count, from + batchSize);
    const rows = new Columns(26);
    for (let q = from; q < to; q++) {
      if ((q - from) % 1000 === 999) await yieldToLoop();
      const k = complaintAt(world, q);
      rows.push(
        k.id, k.customer.id, k.channel, k.category, k.severity, k.title, k.description, k.customerDemand, k.customerMood, iso(k.receivedAt),
        iso(k.dueAt), k.status, k.assigneeId, iso(k.escalatedAt), k.escalatedToId, k.breached, iso(k.resolvedAt), k.resolution,
        k.resolutionWorkingMinutes, iso(k.followUpDueAt), k.followUpOverdue, iso(k.verifiedAt), k.satisfaction, iso(k.closedAt), k.createdBy,
        iso(k.updatedAt),
      );
    }
    await writing;
    writing = db.query(INSERT_COMPLAINTS, rows.data).then(() => undefined);
    writing.catch(() => undefined); // awaited before the next batch and at the end
  }
  await writing;
  return count;
}

