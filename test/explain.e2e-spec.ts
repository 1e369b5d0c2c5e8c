import { randomInt } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PiiCipher } from '../src/common/crypto/pii-cipher';
import { Cursors } from '../src/common/pagination';
import { seedComplaints, seedCustomers, seedReference } from '../scripts/seed/bulk';
import { DAY_MS, SeedWorld, SPAN_YEARS } from '../scripts/seed/model';
import { DATA_KEY, startTestApp, TestApp } from './support/test-app';

/**
 * Every hot list and lookup of docs/performance.md uses an index. The database gets the scale
 * seed's data (50,000 customers with contacts, interactions, tags, complaints and audit entries),
 * statistics are taken, then each scenario is called through the API while every statement the
 * service sends through TypeORM is recorded; each recorded statement is then EXPLAINed with its
 * own parameters, and any sequential scan of a large table fails the test, naming the scenario
 * and the statement.
 */

const CUSTOMERS = 50_000;
const PASSWORD = 'explain-test-password';
const LARGE_TABLES = ['customers', 'contacts', 'interactions', 'complaints', 'complaint_events', 'customer_tags', 'requests', 'customer_quality', 'opportunities', 'review_tasks'];
const TRANSACTION_CONTROL = /^\s*(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET\s)/i;

interface Recorded {
  sql: string;
  parameters: unknown[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Filled once the data is in: LARGE_TABLES and the partitions of audit_log that hold at least 1,000 rows. */
const largeRelations = new Set<string>();

/** Sequential scans of large tables anywhere in the plan. */
function seqScans(node: PlanNode): string[] {
  const here = node['Node Type'] === 'Seq Scan' && largeRelations.has(node['Relation Name'] ?? '') ? [node['Relation Name']!] : [];
  return [...here, ...(node.Plans ?? []).flatMap(seqScans)];
}

/**
 * Audit entries in bulk, set-based: three per customer and one per contact, appended after the
 * chain head with the head moved on (so the service keeps appending), but not hash-chained: the
 * plans do not depend on the hashes, and chaining them (scripts/seed/audit.ts) takes longer than
 * this whole test should.
 */
async function fillAuditLog(db: PoolClient): Promise<void> {
  await db.query('BEGIN');
  try {
    const { rows } = await db.query(`SELECT last_id FROM audit_chain_head WHERE id = 1 FOR UPDATE`);
    const head = Number(rows[0].last_id);
    await db.query(
      `INSERT INTO audit_log (id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after, changed_fields,
                              reason, request_id, ip, user_agent, prev_hash, hash)
       SELECT $1::bigint + row_number() OVER (ORDER BY e.entity_type, e.entity_id, e.action), now(), e.actor_id, 'sales', e.action,
              e.entity_type, e.entity_id, NULL, e.after, ARRAY(SELECT jsonb_object_keys(e.after) ORDER BY 1), NULL,
              gen_random_uuid()::text, '10.0.0.1', 'explain.e2e-spec', repeat('0', 64), md5(e.entity_id || e.action) || md5(e.action || e.entity_id)
         FROM (SELECT c.owner_id AS actor_id, a.action, 'customer' AS entity_type, c.id::text AS entity_id, jsonb_build_object('name', c.name, 'stage', c.stage) AS after
                 FROM customers c CROSS JOIN unnest(ARRAY['customer.create', 'customer.update', 'pii.read']) AS a(action)
               UNION ALL
               SELECT c.owner_id, 'contact.create', 'contact', k.id::text, jsonb_build_object('name', k.name)
                 FROM contacts k JOIN customers c ON c.id = k.customer_id) e`,
      [head],
    );
    await db.query(
      `INSERT INTO audit_entity_index (entity_type, entity_id, occurred_at, audit_id, action)
       SELECT entity_type, entity_id, occurred_at, id, action FROM audit_log WHERE id > $1::bigint AND entity_id IS NOT NULL`,
      [head],
    );
    await db.query(
      `UPDATE audit_chain_head h SET last_id = a.id, last_hash = a.hash, last_occurred_at = a.occurred_at
         FROM (SELECT id, hash, occurred_at FROM audit_log ORDER BY id DESC LIMIT 1) a WHERE h.id = 1`,
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/**
 * Customer requests, set-based: two per active customer, 95% closed and spread over the seed's
 * years, the open ones received in the last 10 days and due a day after receipt (most overdue); half dispatched to the owner, a
 * quarter to the customer's department queue, a quarter to the service queue. A few reported upward.
 */
async function seedRequests(db: PoolClient): Promise<void> {
  await db.query(
    `INSERT INTO requests (customer_id, kind, channel, subject, content, received_at, status, assignee_id, department_id, first_response_due_at, urgent_at,
                           report_upward, topic, created_by)
     SELECT x.customer_id, (ARRAY['enquiry', 'need', 'suggestion', 'problem'])[1 + floor(x.r1 * 4)::int], 'wecom', '询问二期报价', '客户希望本周内拿到二期项目报价',
            x.received_at, CASE WHEN x.r2 < 0.95 THEN 'closed' ELSE (ARRAY['new', 'acknowledged', 'in_progress', 'answered'])[1 + floor(x.r3 * 4)::int] END,
            CASE WHEN x.r4 < 0.5 THEN x.owner_id END, CASE WHEN x.r4 >= 0.5 AND x.r4 < 0.75 THEN x.department_id END,
            x.received_at + interval '1 day', CASE WHEN x.r2 < 0.95 THEN timestamptz '9999-12-31T00:00:00Z' ELSE x.received_at + interval '1 day' END,
            x.r3 < 0.01, CASE WHEN x.r3 < 0.01 THEN (ARRAY['交货延迟', '发票开具', '价格异议'])[1 + floor(x.r1 * 3)::int] END, x.owner_id
       FROM (SELECT y.*, now() - CASE WHEN y.r2 < 0.95 THEN y.r5 * make_interval(days => $1) ELSE y.r5 * interval '10 days' END AS received_at
               FROM (SELECT c.id AS customer_id, c.owner_id, c.department_id, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
                       FROM customers c CROSS JOIN generate_series(1, 2) WHERE c.status = 'active') y) x`,
    [Math.round(SPAN_YEARS * 365)],
  );
}

describe('query plans on 50,000 customers', () => {
  let t: TestApp;
  let recording: Recorded[] | undefined;
  const tokens: Record<string, string> = {};
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    const started = Date.now();
    const clients: PoolClient[] = [await t.db.connect(), await t.db.connect()];
    try {
      for (const client of clients) await client.query('SET synchronous_commit = off');
      const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
      const partial = { seed: randomInt(2 ** 31), startMs: endMs - Math.round(SPAN_YEARS * 365.25) * DAY_MS };
      const reference = await seedReference(clients[0], partial, PASSWORD);
      const world: SeedWorld = { ...partial, endMs, customers: CUSTOMERS, offset: 0, ...reference };
      const cipher = new PiiCipher(DATA_KEY);
      await seedCustomers([clients[0], clients[1]], world, cipher, 10_000, () => undefined);
      await seedComplaints(clients[0], world, CUSTOMERS / 10, 10_000);
      await fillAuditLog(clients[0]);
      await seedRequests(clients[0]);
      // Data-quality results as the job would leave them (issue 17): a third failing contact timeliness, one in twenty incomplete.
      await clients[0].query(
        `INSERT INTO customer_quality (customer_id, department_id, owner_id, failing, incomplete, duplicate_ids, recheck_at, checked_at)
         SELECT id, department_id, owner_id, CASE WHEN random() < 0.05 THEN '{missing_industry}' WHEN random() < 0.33 THEN '{contact_overdue}' ELSE '{}' END::varchar[],
                false, '{}', now() + random() * interval '30 days', now()
           FROM customers WHERE status = 'active'`,
      );
      await clients[0].query(`UPDATE customer_quality SET incomplete = true WHERE failing = '{missing_industry}'`);
      // Sales opportunities (issue 16) on a fifth of the customers, owned as their customers are.
      await clients[0].query(
        `INSERT INTO opportunities (customer_id, owner_id, department_id, title, source, amount, expected_close_date, stage, probability, strategy, created_by, created_at)
         SELECT c.id, c.owner_id, c.department_id, '机会 ' || left(c.name, 20), 'referral', 100000, current_date + (random() * 365)::int,
                (ARRAY['lead', 'qualified', 'proposal', 'negotiation'])[1 + floor(random() * 4)::int], 25, '跟进', c.owner_id, c.created_at
           FROM customers c WHERE random() < 0.2`,
      );
      // A company-wide review round (issue 17): a task per active customer, four in five done, the open ones due from 25 days ago to 5 days ahead.
      await clients[0].query(
        `WITH r AS (INSERT INTO review_rounds (department_id, scope, due_at, created_by) VALUES (NULL, 'all', now() + interval '5 days', NULL) RETURNING id)
         INSERT INTO review_tasks (round_id, customer_id, owner_id, department_id, due_at, done_at, done_by)
         SELECT r.id, x.id, x.owner_id, x.department_id, now() + interval '5 days' - x.r1 * interval '30 days',
                CASE WHEN x.r2 < 0.8 THEN now() END, CASE WHEN x.r2 < 0.8 THEN x.owner_id END
           FROM r, (SELECT id, owner_id, department_id, random() AS r1, random() AS r2 FROM customers WHERE status = 'active') x`,
      );
      await clients[0].query('VACUUM (ANALYZE)');
    } finally {
      for (const client of clients) client.release();
    }
    process.stderr.write(`explain.e2e-spec: seeded ${CUSTOMERS} customers in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    const manager = (await t.db.query(`SELECT id, department_id FROM users WHERE username = 'manager01'`)).rows[0];
    const sales = (
      await t.db.query(
        `SELECT u.username, u.id FROM users u JOIN customers c ON c.owner_id = u.id WHERE u.department_id = $1 AND u.role = 'sales'
          GROUP BY u.id ORDER BY count(*) DESC LIMIT 1`,
        [manager.department_id],
      )
    ).rows[0];
    for (const [role, username] of [
      ['sales', sales.username],
      ['manager', 'manager01'],
      ['auditor', 'auditor01'],
      ['admin', 'sysadmin01'],
    ]) {
      const { data, error } = await t.anonymous.POST('/api/v1/auth/login', { body: { username, password: PASSWORD } });
      if (!data) throw new Error(`login as ${username}: ${JSON.stringify(error)}`);
      tokens[role] = data.accessToken;
    }
    const one = async (sql: string, params: unknown[]) => Object.values((await t.db.query(sql, params)).rows[0])[0] as string;
    fixtures.salesId = sales.id;
    fixtures.ownCustomer = await one(`SELECT id FROM customers WHERE owner_id = $1 AND status = 'active' ORDER BY random() LIMIT 1`, [sales.id]);
    fixtures.departmentCustomer = await one(`SELECT id FROM customers WHERE department_id = $1 AND owner_id <> $2 AND status = 'active' ORDER BY random() LIMIT 1`, [
      manager.department_id,
      manager.id,
    ]);
    // The most common tag among the department's prospects: a page of 5 leaves a second one to ask for.
    fixtures.tag = await one(
      `SELECT ct.tag_id FROM customer_tags ct JOIN customers c ON c.id = ct.customer_id
        WHERE c.department_id = $1 AND c.status = 'active' AND c.stage = 'prospect' GROUP BY ct.tag_id ORDER BY count(*) DESC LIMIT 1`,
      [manager.department_id],
    );
    // Large: the listed tables and audit_log's partitions that hold rows (an empty future month is not large).
    const large = await t.db.query(
      `SELECT c.relname FROM pg_class c
        WHERE c.relkind = 'r' AND c.reltuples >= 1000
          AND (c.relname = ANY($1::text[]) OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'audit_log'::regclass))`,
      [LARGE_TABLES],
    );
    for (const row of large.rows) largeRelations.add(row.relname);
    fixtures.brand = await one(`SELECT left(short_name, 2) FROM customers WHERE department_id = $1 AND kind = 'organization' LIMIT 1`, [manager.department_id]);
    // An active organisation of the department: the search terms are substrings of its name from its brand on.
    const named = (
      await t.db.query(
        `SELECT name, short_name FROM customers WHERE department_id = $1 AND kind = 'organization' AND status = 'active' AND short_name IS NOT NULL LIMIT 1`,
        [manager.department_id],
      )
    ).rows[0];
    fixtures.name = named.name.slice(Math.max(0, named.name.indexOf(named.short_name.slice(0, 2))));

    // Every statement TypeORM sends (repositories, query builders, raw queries) passes its logger.
    const logger = t.app.get(DataSource).logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (sql, parameters, runner) => {
      recording?.push({ sql, parameters: Array.isArray(parameters) ? parameters : [] });
      return logQuery(sql, parameters, runner);
    };
    // Seeding 50,000 customers takes about 100 s on a quiet machine; a loaded one needs more.
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  /** Calls the API as `role` and returns what the service ran meanwhile. */
  async function statementsOf(role: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any; statements: Recorded[] }> {
    recording = [];
    try {
      const response = await fetch(`${t.baseUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[role]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await response.json();
      return { status: response.status, json, statements: recording };
    } finally {
      recording = undefined;
    }
  }

  /** The names of the indexes the plans of `statements` use. */
  async function indexesUsed(statements: Recorded[]): Promise<Set<string>> {
    const names = new Set<string>();
    const walk = (node: PlanNode & { 'Index Name'?: string }) => {
      if (node['Index Name']) names.add(node['Index Name']);
      (node.Plans ?? []).forEach(walk);
    };
    for (const { sql, parameters } of statements.filter((s) => !TRANSACTION_CONTROL.test(s.sql))) {
      const [{ 'QUERY PLAN': plan }] = (await t.db.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters)).rows;
      walk(plan[0].Plan);
    }
    return names;
  }

  async function sequentialScans(statements: Recorded[]): Promise<string[]> {
    const problems: string[] = [];
    for (const { sql, parameters } of statements.filter((s) => !TRANSACTION_CONTROL.test(s.sql))) {
      const [{ 'QUERY PLAN': plan }] = (await t.db.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters)).rows;
      const scans = seqScans(plan[0].Plan);
      if (scans.length > 0) problems.push(`Seq Scan on ${scans.join(', ')} in: ${sql.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    return problems;
  }

  // KPI periods are whole days in the company's time zone (Asia/Shanghai, UTC+8): a quarter ending tonight.
  const tonight = () => Math.floor((Date.now() + 8 * 3_600_000) / DAY_MS + 1) * DAY_MS - 8 * 3_600_000;
  const quarter = () => new URLSearchParams({ from: new Date(tonight() - 91 * DAY_MS).toISOString(), to: new Date(tonight()).toISOString() }).toString();

  interface Scenario {
    name: string;
    role: string;
    method: 'GET' | 'POST';
    path: () => string;
    body?: () => unknown;
  }
  const scenarios: Scenario[] = [
    { name: 'customer by id, owning sales user', role: 'sales', method: 'GET', path: () => `/customers/${fixtures.ownCustomer}` },
    { name: 'customer by id, department manager', role: 'manager', method: 'GET', path: () => `/customers/${fixtures.departmentCustomer}` },
    { name: 'customers by stage and tag, manager', role: 'manager', method: 'GET', path: () => `/customers?stage=prospect&tagIds=${fixtures.tag}&limit=5` },
    { name: 'fuzzy name search, manager', role: 'manager', method: 'GET', path: () => `/customers?q=${encodeURIComponent(fixtures.brand)}` },
    { name: 'due follow-ups and review tasks of the department', role: 'manager', method: 'GET', path: () => '/follow-ups/due?scope=department' },
    { name: 'own due follow-ups and review tasks, sales', role: 'sales', method: 'GET', path: () => '/follow-ups/due' },
    { name: 'dormant customers of the department due for re-activation', role: 'manager', method: 'GET', path: () => '/follow-ups/due?scope=department&status=dormant' },
    { name: 'overdue complaints, manager', role: 'manager', method: 'GET', path: () => '/complaints?overdue=true' },
    { name: 'complaints of the department, manager', role: 'manager', method: 'GET', path: () => '/complaints' },
    { name: 'audit entries of a customer, auditor', role: 'auditor', method: 'GET', path: () => `/audit-logs?entityType=customer&entityId=${fixtures.departmentCustomer}` },
    {
      name: 'recording an interaction',
      role: 'sales',
      method: 'POST',
      path: () => `/customers/${fixtures.ownCustomer}/interactions`,
      body: () => ({ occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话回访，客户满意' }),
    },
    { name: 'own customers, default list', role: 'sales', method: 'GET', path: () => '/customers' },
    { name: 'interactions of a customer', role: 'sales', method: 'GET', path: () => `/customers/${fixtures.ownCustomer}/interactions` },
    { name: 'history of a customer, manager', role: 'manager', method: 'GET', path: () => `/customers/${fixtures.departmentCustomer}/history` },
    { name: 'customers awaiting a successor, manager', role: 'manager', method: 'GET', path: () => '/transfers/unassigned' },
    { name: 'overdue requests assigned to me, sales', role: 'sales', method: 'GET', path: () => '/requests?queue=mine&overdue=true' },
    { name: 'overdue requests of the department queue, manager', role: 'manager', method: 'GET', path: () => '/requests?queue=department&overdue=true' },
    { name: 'common issues of the department, manager', role: 'manager', method: 'GET', path: () => '/requests/topics' },
    // supervision (issue 17)
    { name: 'failing data-quality rules in the department, manager', role: 'manager', method: 'GET', path: () => '/data-quality?limit=20' },
    { name: 'customers failing one data-quality rule, manager', role: 'manager', method: 'GET', path: () => '/data-quality?rule=contact_overdue&limit=20' },
    { name: 'data-quality summary of the department, manager', role: 'manager', method: 'GET', path: () => '/data-quality/summary' },
    { name: 'data-quality of own customers, sales', role: 'sales', method: 'GET', path: () => '/data-quality' },
    { name: 'KPIs of the department for a quarter, per owner, manager', role: 'manager', method: 'GET', path: () => `/kpis?${quarter()}` },
    { name: 'KPIs of the department for a quarter, manager', role: 'manager', method: 'GET', path: () => `/kpis?${quarter()}&groupBy=department` },
    { name: 'own KPIs for a quarter, sales', role: 'sales', method: 'GET', path: () => `/kpis?${quarter()}` },
    { name: 'opportunities of the department, manager', role: 'manager', method: 'GET', path: () => '/opportunities' },
    { name: 'own opportunities in a stage, sales', role: 'sales', method: 'GET', path: () => '/opportunities?stage=proposal' },
    { name: 'opportunities of a customer, sales', role: 'sales', method: 'GET', path: () => `/opportunities?customerId=${fixtures.ownCustomer}` },
  ];

  it.each(scenarios)('$name uses indexes only', async ({ role, method, path, body }) => {
    const { status, json, statements } = await statementsOf(role, method, path(), body?.());
    expect({ status, json: status < 300 ? 'ok' : json }).toEqual({ status: method === 'POST' ? 201 : 200, json: 'ok' });
    expect(statements.some((s) => /\b(customers|contacts|interactions|complaints|customer_tags|audit_log|audit_entity_index|opportunities)\b/.test(s.sql))).toBe(true);
    expect(await sequentialScans(statements)).toEqual([]);
  });

  // Substrings of a real name from its brand on (after the city): 1, 2 (the brand), 3, 4 and 8 characters.
  const searchTerms: [string, () => string][] = [
    ['1 character', () => fixtures.name.slice(0, 1)],
    ['2 characters', () => fixtures.name.slice(0, 2)],
    ['3 characters', () => fixtures.name.slice(0, 3)],
    ['4 characters', () => fixtures.name.slice(0, 4)],
    ['8 characters', () => fixtures.name.slice(0, 8)],
  ];
  it.each(searchTerms.flatMap(([what, term]) => ['manager', 'admin'].map((role) => ({ what, term, role }))))(
    'name search of $what, $role, is served by the character-pair index',
    async ({ term, role }) => {
      const { status, json, statements } = await statementsOf(role, 'GET', `/customers?q=${encodeURIComponent(term())}`);
      expect(status).toBe(200);
      expect(json.items.length).toBeGreaterThan(0);
      expect(await sequentialScans(statements)).toEqual([]);
      expect(await indexesUsed(statements)).toContain('ix_customers_search_grams');
    },
  );

  it('an admin’s two-character search whose page is all prefix matches reads it from the prefix index, ranking nothing else', async () => {
    const { status, json, statements } = await statementsOf('admin', 'GET', `/customers?q=${encodeURIComponent(fixtures.name.slice(0, 2))}&limit=2`);
    expect(status).toBe(200);
    expect(json.items).toHaveLength(2);
    expect(await sequentialScans(statements)).toEqual([]);
    const used = await indexesUsed(statements);
    expect(used).toContain('ix_customers_search_prefix_short_name');
    expect(used).not.toContain('ix_customers_search_grams');
  });

  it.each([
    { what: 'audit entries of a customer, auditor', role: 'auditor', path: () => `/audit-logs?entityType=customer&entityId=${fixtures.departmentCustomer}` },
    { what: 'history of a customer, manager', role: 'manager', path: () => `/customers/${fixtures.departmentCustomer}/history` },
  ])('$what finds its entries in audit_entity_index, not in every partition', async ({ role, path }) => {
    const { status, json, statements } = await statementsOf(role, 'GET', path());
    expect(status).toBe(200);
    expect(json.items.length).toBeGreaterThan(0);
    expect(await indexesUsed(statements)).toContain('PK_audit_entity_index');
    expect(statements.some((s) => /FROM audit_log a\s+WHERE a\.entity_type/.test(s.sql))).toBe(false);
  });

  it('a manager\'s list by stage and tag reads the qualifying tag rows of the department, not every tagged customer of it', async () => {
    const { status, json, statements } = await statementsOf('manager', 'GET', `/customers?stage=prospect&tagIds=${fixtures.tag}&limit=5`);
    expect(status).toBe(200);
    expect(await indexesUsed(statements)).toContain('ix_customer_tags_tag_department_stage_name');
    // The 2nd page, in name order: the tag rows are read in (name, id) order from the cursor, so the
    // page needs no sort of every qualifying customer (a Sort node means each was probed first).
    const second = await statementsOf('manager', 'GET', `/customers?stage=prospect&tagIds=${fixtures.tag}&limit=5&cursor=${encodeURIComponent(json.nextCursor)}`);
    expect(second.status).toBe(200);
    expect(second.json.items).toHaveLength(5);
    const list = second.statements.filter((s) => /FROM customer_tags ct WHERE/.test(s.sql));
    expect(list).toHaveLength(1);
    const [{ 'QUERY PLAN': plan }] = (await t.db.query(`EXPLAIN (FORMAT JSON) ${list[0].sql}`, list[0].parameters)).rows;
    const nodes: (PlanNode & { 'Index Name'?: string })[] = [];
    const walk = (node: PlanNode & { 'Index Name'?: string }) => {
      nodes.push(node);
      (node.Plans ?? []).forEach(walk);
    };
    walk(plan[0].Plan);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(nodes.map((n) => n['Index Name'])).toContain('ix_customer_tags_tag_department_stage_name');
  });

  it('audit_entries_at, planned once (generic), opens only the partitions of the keys it is given', async () => {
    const [{ prosrc }] = (await t.db.query(`SELECT prosrc FROM pg_proc WHERE proname = 'audit_entries_at'`)).rows;
    const body = /RETURN QUERY ([\s\S]*?);/.exec(prosrc as string)![1].replaceAll('p_at', '$1').replaceAll('p_id', '$2');
    const keys = (
      await t.db.query(
        `SELECT array_agg(occurred_at::text) AS at, array_agg(audit_id) AS id, count(DISTINCT date_trunc('month', occurred_at)) AS months
           FROM (SELECT occurred_at, audit_id FROM audit_entity_index WHERE entity_type = 'customer' AND entity_id = $1 LIMIT 64) k`,
        [fixtures.departmentCustomer],
      )
    ).rows[0];
    const db = await t.db.connect();
    try {
      await db.query('SET plan_cache_mode = force_generic_plan');
      await db.query(`PREPARE entries_at(timestamptz[], bigint[]) AS ${body}`);
      // EXPLAIN EXECUTE takes no bind parameters: the keys (times to the microsecond, and numbers) as literals.
      const at = `{${(keys.at as string[]).map((time) => `"${time}"`).join(',')}}`;
      const ids = `{${(keys.id as string[]).join(',')}}`;
      const [{ 'QUERY PLAN': plan }] = (await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE entries_at('${at}', '${ids}')`)).rows;
      const append = plan[0].Plan as PlanNode & { 'Subplans Removed'?: number };
      expect(seqScans(append)).toEqual([]);
      expect(append['Subplans Removed']).toBeGreaterThan(0);
      expect(append.Plans!.length).toBeLessThanOrEqual(Number(keys.months));
      expect(plan[0].Plan['Actual Rows']).toBe(keys.id.length);
    } finally {
      await db.query('DEALLOCATE ALL').catch(() => undefined);
      await db.query('RESET plan_cache_mode').catch(() => undefined);
      db.release();
    }
  });

  it.each([
    { what: 'the department\'s, manager', role: 'manager', scope: 'department' },
    { what: 'own, sales', role: 'sales', scope: 'mine' },
  ])('a page of the due list ($what) deep after a follow-up and after a review task uses indexes only', async ({ role, scope }) => {
    // Cursors as the list hands them out, for items half-way down the caller's list of each kind.
    const cursors = t.app.get(Cursors);
    const who = role === 'manager' ? `c.department_id = (SELECT department_id FROM users WHERE username = 'manager01')` : `c.owner_id = $1`;
    const params = role === 'manager' ? [] : [fixtures.salesId];
    const followUp = (
      await t.db.query(
        `SELECT c.next_follow_up_at::text AS at, c.id FROM customers c WHERE ${who} AND c.status = 'active' AND c.next_follow_up_at <= now()
          ORDER BY c.next_follow_up_at, c.id OFFSET (SELECT count(*) / 2 FROM customers c WHERE ${who} AND c.status = 'active' AND c.next_follow_up_at <= now()) LIMIT 1`,
        params,
      )
    ).rows[0];
    const review = (
      await t.db.query(
        `SELECT r.due_at::text AS at, r.customer_id, r.round_id FROM review_tasks r JOIN customers c ON c.id = r.customer_id
          WHERE ${who} AND r.done_at IS NULL AND r.due_at <= now() ORDER BY r.due_at, r.customer_id, r.round_id
          OFFSET (SELECT count(*) / 2 FROM review_tasks r JOIN customers c ON c.id = r.customer_id WHERE ${who} AND r.done_at IS NULL AND r.due_at <= now()) LIMIT 1`,
        params,
      )
    ).rows[0];
    const keys = [
      [followUp.at, 'follow_up', followUp.id, '00000000-0000-0000-0000-000000000000'],
      [review.at, 'review', review.customer_id, review.round_id],
    ];
    for (const key of keys) {
      const cursor = cursors.page('due-items', [key, key], 1, (k) => k, (k) => k).nextCursor!;
      const r = await statementsOf(role, 'GET', `/follow-ups/due?scope=${scope}&limit=20&cursor=${encodeURIComponent(cursor)}`);
      expect(r.status).toBe(200);
      expect(r.json.items.length).toBeGreaterThan(0);
      expect(await sequentialScans(r.statements)).toEqual([]);
    }
  });

  it('the second page by cursor of the stage and tag list uses indexes only', async () => {
    const first = await statementsOf('manager', 'GET', `/customers?stage=prospect&tagIds=${fixtures.tag}&limit=5`);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await statementsOf('manager', 'GET', `/customers?stage=prospect&tagIds=${fixtures.tag}&limit=5&cursor=${encodeURIComponent(first.json.nextCursor)}`);
    expect(second.status).toBe(200);
    expect(await sequentialScans(second.statements)).toEqual([]);
  });
});
