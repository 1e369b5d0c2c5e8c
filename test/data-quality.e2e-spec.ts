import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/**
 * Issue 17, data quality: a constructed set of customers, each built to fail known rules, the job
 * run, and the report read back by every role that may read it.
 */

let t: TestApp;
let w: World;
let tiers: Record<string, string>;
const c: Record<string, string> = {};

const recompute = async (full: boolean) => {
  const r = await w.admin.api.POST('/api/v1/data-quality/recompute', { body: { full } });
  expect(r.response.status).toBe(200);
  return r.data!;
};
const list = (actor: Actor, query: Record<string, string | number> = {}) => actor.api.GET('/api/v1/data-quality', { params: { query } });
/** Our customers' failing rules as the actor sees them, by our own names for them. */
async function seen(actor: Actor, query: Record<string, string | number> = {}): Promise<Record<string, string[]>> {
  const r = await list(actor, { limit: 100, ...query });
  expect(r.response.status).toBe(200);
  const names = new Map(Object.entries(c).map(([k, id]) => [id, k]));
  return Object.fromEntries(r.data!.items.filter((i) => names.has(i.customerId)).map((i) => [names.get(i.customerId)!, i.failing]));
}
const sql = (text: string, params: unknown[]) => t.db.query(text, params);

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  tiers = Object.fromEntries((await w.admin.api.GET('/api/v1/tiers')).data!.map((x) => [x.code, x.id]));
  // good: complete, valid, consistent, current (ordinary tier, prospect, created now)
  c.good = (await createCustomer(w.salesEast1)).id;
  // no industry, a credit code failing its check digit (written past the API, as an old import would)
  c.incomplete = (await createCustomer(w.salesEast1)).id;
  await sql(`UPDATE customers SET industry = NULL, credit_code = '91310000MA1FL4CT3X' WHERE id = $1`, [c.incomplete]);
  // a lead in the core tier (14-day cadence), untouched for 40 days
  c.stale = (await createCustomer(w.salesEast1, { stage: 'potential' })).id;
  await sql(`UPDATE customers SET tier_id = $2, created_at = now() - interval '40 days', updated_at = now() - interval '40 days' WHERE id = $1`, [c.stale, tiers.core]);
  // a shared switchboard across departments: both are suspected duplicates
  c.landlineEast = (await createCustomer(w.salesEast2, { landline: '021-6234 5678' } as never)).id;
  c.landlineWest = (await createCustomer(w.salesWest, { landline: '+86 21 6234 5678' } as never)).id;
  // the only contact left: no way to reach, and the primary is gone
  c.contactLeft = (await createCustomer(w.salesEast2)).id;
  await sql(`UPDATE contacts SET status = 'left', is_primary = true, left_at = now() WHERE customer_id = $1`, [c.contactLeft]);
  // a mobile that no longer decrypts (copied from another contact's row)
  c.unreadable = (await createCustomer(w.salesEast2)).id;
  await sql(`UPDATE contacts SET mobile_enc = (SELECT mobile_enc FROM contacts WHERE customer_id = $2) WHERE customer_id = $1`, [c.unreadable, c.good]);
  // strategic by tier and stage, no revenue
  c.noRevenue = (await createCustomer(w.salesEast2, { stage: 'strategic' })).id;
  await sql(`UPDATE customers SET tier_id = $2 WHERE id = $1`, [c.noRevenue, tiers.strategic]);
  // similar names in one region (and one in another region that is not a suspect)
  c.nameA = (await createCustomer(w.salesEast1, { name: 'Shanghai Precision Machinery Works Co Ltd', region: '上海' } as never)).id;
  c.nameB = (await createCustomer(w.salesEast2, { name: 'Shanghai Precision Machinery Works Co., Ltd. (SH)', region: '上海' } as never)).id;
  c.nameOtherRegion = (await createCustomer(w.salesEast2, { name: 'Shanghai Precision Machinery Works Company', region: '北京' } as never)).id;
  expect(await recompute(true)).toMatchObject({ full: true });
});
afterAll(() => t.close());

describe('the rules on a constructed data set', () => {
  it('an admin sees every failing customer with exactly the rules it fails, and not the good one', async () => {
    expect(await seen(w.admin)).toEqual({
      incomplete: ['missing_industry', 'invalid_credit_code'],
      stale: ['stage_tier_mismatch', 'contact_overdue'],
      landlineEast: ['suspected_duplicate'],
      landlineWest: ['suspected_duplicate'],
      contactLeft: ['missing_mobile_contact', 'primary_contact_left'],
      unreadable: ['invalid_mobile'],
      noRevenue: ['strategic_without_revenue'],
      nameA: ['suspected_duplicate'],
      nameB: ['suspected_duplicate'],
    });
    const pair = (await list(w.admin, { rule: 'suspected_duplicate', limit: 100 })).data!.items;
    expect(pair.find((i) => i.customerId === c.landlineEast)!.duplicateIds).toEqual([c.landlineWest]);
    expect(pair.find((i) => i.customerId === c.nameA)!.duplicateIds).toEqual([c.nameB]);
  });

  it('the landline is stored as digits, +86 folded', async () => {
    const r = await w.salesWest.api.GET('/api/v1/customers/{id}', { params: { path: { id: c.landlineWest } } });
    expect((r.data as unknown as { landline: string }).landline).toBe('02162345678');
  });
});

describe('scope', () => {
  it('a seller sees their own customers only; a manager their department; an auditor everything', async () => {
    expect(Object.keys(await seen(w.salesEast1)).sort()).toEqual(['incomplete', 'nameA', 'stale']);
    expect(Object.keys(await seen(w.managerEast)).sort()).toEqual(['contactLeft', 'incomplete', 'landlineEast', 'nameA', 'nameB', 'noRevenue', 'stale', 'unreadable']);
    expect(Object.keys(await seen(w.managerWest)).sort()).toEqual(['landlineWest']);
    expect(Object.keys(await seen(w.auditor))).toHaveLength(9);
  });

  it('another department or another person\'s figures are 404; service and marketing may not ask at all', async () => {
    const other = await list(w.managerEast, { departmentId: w.west });
    expect([other.response.status, other.error?.code]).toEqual([404, 'NOT_FOUND']);
    const stranger = await list(w.managerEast, { ownerId: w.salesWest.id });
    expect([stranger.response.status, stranger.error?.code]).toEqual([404, 'NOT_FOUND']);
    const colleague = await list(w.salesEast1, { ownerId: w.salesEast2.id });
    expect([colleague.response.status, colleague.error?.code]).toEqual([404, 'NOT_FOUND']);
    const summary = await w.salesEast1.api.GET('/api/v1/data-quality/summary', { params: { query: { departmentId: w.west } } });
    expect([summary.response.status, summary.error?.code]).toEqual([404, 'NOT_FOUND']);
    for (const actor of [w.service, w.marketing]) {
      const r = await list(actor);
      expect([r.response.status, r.error?.code]).toEqual([403, 'FORBIDDEN']);
    }
    // the legitimate narrowing works
    expect(Object.keys(await seen(w.managerEast, { ownerId: w.salesEast1.id })).sort()).toEqual(['incomplete', 'nameA', 'stale']);
    expect(Object.keys(await seen(w.admin, { departmentId: w.west }))).toEqual(['landlineWest']);
  });

  it('pages by signed cursor; a forged one is 400 INVALID_CURSOR', async () => {
    const first = await list(w.managerEast, { limit: 5 });
    expect(first.data!.items).toHaveLength(5);
    const second = await list(w.managerEast, { limit: 5, cursor: first.data!.nextCursor! });
    expect(second.data!.items).toHaveLength(3);
    expect(second.data!.nextCursor).toBeNull();
    expect(new Set([...first.data!.items, ...second.data!.items].map((i) => i.customerId)).size).toBe(8);
    const forged = await list(w.managerEast, { cursor: `${first.data!.nextCursor!.split('.')[0]}.AAAA` });
    expect([forged.response.status, forged.error?.code]).toEqual([400, 'INVALID_CURSOR']);
  });
});

describe('summary', () => {
  it('counts per rule and per owner, completeness per department (hand-computed)', async () => {
    const r = await w.managerEast.api.GET('/api/v1/data-quality/summary');
    expect(r.error).toBeUndefined();
    const s = r.data!;
    const rules = Object.fromEntries(s.rules.map((r) => [r.rule, r.customers]));
    expect(rules).toMatchObject({
      missing_industry: 1,
      invalid_credit_code: 1,
      stage_tier_mismatch: 1,
      contact_overdue: 1,
      suspected_duplicate: 3,
      missing_mobile_contact: 1,
      primary_contact_left: 1,
      invalid_mobile: 1,
      strategic_without_revenue: 1,
      review_overdue: 0,
    });
    // salesEast1: good, incomplete, stale, nameA → 4 customers, 3 failing, 1 incomplete → 75 %
    expect(s.owners.find((o) => o.ownerId === w.salesEast1.id)).toMatchObject({ customers: 4, failing: 3, completeness: 75 });
    // salesEast2: landlineEast, contactLeft, unreadable, noRevenue, nameB, nameOtherRegion → 6, 5 failing, 1 incomplete → 83.3 %
    expect(s.owners.find((o) => o.ownerId === w.salesEast2.id)).toMatchObject({ customers: 6, failing: 5, completeness: 83.3 });
    // East: 10 customers, 2 incomplete → 80 %
    expect(s.departments).toEqual([expect.objectContaining({ departmentId: w.east, customers: 10, failing: 8, completeness: 80 })]);
  });
});

describe('the job keeps results current', () => {
  it('takes changed customers since the last run, and pairs come apart on both sides', async () => {
    expect((await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: c.incomplete } }, body: { industry: '制造业', version: 1 } })).response.status).toBe(200);
    const west = (await w.salesWest.api.GET('/api/v1/customers/{id}', { params: { path: { id: c.landlineWest } } })).data!;
    expect((await w.salesWest.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: c.landlineWest } }, body: { landline: '010-8888 6666', version: west.version } as never })).response.status).toBe(200);
    const run = await recompute(false);
    expect(run.full).toBe(false);
    const now = await seen(w.admin);
    expect(now.incomplete).toEqual(['invalid_credit_code']);
    expect(now.landlineEast).toBeUndefined();
    expect(now.landlineWest).toBeUndefined();
  });

  it('looks again when a timeliness deadline passes, with no change to the record', async () => {
    // ordinary tier: 30-day cadence; the stored result says to look again at the deadline
    await sql(`UPDATE customers SET created_at = now() - interval '31 days', updated_at = now() - interval '31 days' WHERE id = $1`, [c.good]);
    await sql(`UPDATE customer_quality SET recheck_at = now() - interval '1 second' WHERE customer_id = $1`, [c.good]);
    await sql(`UPDATE data_quality_watermarks SET computed_from = now()`, []);
    await recompute(false);
    expect((await seen(w.admin)).good).toEqual(['contact_overdue']);
  });
});

/**
 * The summary reads per-(department, owner) counts kept by triggers on the results (migration
 * QualitySummary1796670000000): they must equal a count over the results from scratch after any
 * mix of writes, and follow a customer that moves, leaves the active list, or is removed.
 */
describe('the summary follows the results', () => {
  const approve = (actor: Actor, id: string) => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment: '同意' } });
  const summaryOf = async (actor: Actor, query: { departmentId?: string } = {}) => {
    const r = await actor.api.GET('/api/v1/data-quality/summary', { params: { query } });
    expect(r.error).toBeUndefined();
    return r.data!;
  };
  const owner = (s: Awaited<ReturnType<typeof summaryOf>>, id: string) => s.owners.find((o) => o.ownerId === id);
  const department = (s: Awaited<ReturnType<typeof summaryOf>>, id: string) => s.departments.find((d) => d.departmentId === id);

  /** The stored counts next to the same counts taken from the results from scratch. */
  async function storedAndFromScratch() {
    const stored = await sql(`SELECT department_id, owner_id, customers, failing, complete FROM quality_summary ORDER BY 1, 2`, []);
    const scratch = await sql(
      `SELECT department_id, owner_id, count(*)::int AS customers, count(*) FILTER (WHERE failing <> '{}')::int AS failing, count(*) FILTER (WHERE NOT incomplete)::int AS complete
         FROM customer_quality GROUP BY 1, 2 ORDER BY 1, 2`,
      [],
    );
    const storedRules = await sql(`SELECT department_id, owner_id, rule, customers FROM quality_rule_summary ORDER BY 1, 2, 3`, []);
    const scratchRules = await sql(
      `SELECT q.department_id, q.owner_id, r.rule, count(*)::int AS customers FROM customer_quality q CROSS JOIN LATERAL unnest(q.failing) AS r(rule) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [],
    );
    return { stored: stored.rows, scratch: scratch.rows, storedRules: storedRules.rows, scratchRules: scratchRules.rows };
  }
  async function expectCountsTrue() {
    const { stored, scratch, storedRules, scratchRules } = await storedAndFromScratch();
    expect(scratch.length).toBeGreaterThan(0);
    expect(stored).toEqual(scratch);
    expect(storedRules).toEqual(scratchRules);
    // and the API says the same as the results from scratch, for everyone
    const s = await summaryOf(w.admin);
    expect(s.owners.map((o) => [o.departmentId, o.ownerId, o.customers, o.failing]).sort()).toEqual(scratch.map((r) => [r.department_id, r.owner_id, r.customers, r.failing]).sort());
    const perRule = new Map<string, number>();
    for (const r of scratchRules) perRule.set(r.rule, (perRule.get(r.rule) ?? 0) + r.customers);
    for (const r of s.rules) expect([r.rule, r.customers]).toEqual([r.rule, perRule.get(r.rule) ?? 0]);
  }

  it('a seller sees their own counts only, a manager their department; another department is 404', async () => {
    const mine = await summaryOf(w.salesEast1);
    expect(mine.owners.map((o) => o.ownerId)).toEqual([w.salesEast1.id]);
    expect(mine.departments).toEqual([expect.objectContaining({ departmentId: w.east, customers: 4 })]);
    expect(Object.fromEntries(mine.rules.map((r) => [r.rule, r.customers]))).toMatchObject({ contact_overdue: 2, invalid_credit_code: 1, suspected_duplicate: 1, missing_mobile_contact: 0 });
    const east = await summaryOf(w.managerEast);
    expect(east.owners.map((o) => o.ownerId).sort()).toEqual([w.salesEast1.id, w.salesEast2.id].sort());
    expect(east.departments.map((d) => d.departmentId)).toEqual([w.east]);
    const west = await summaryOf(w.managerWest);
    expect(west.owners.map((o) => o.ownerId)).toEqual([w.salesWest.id]);
    const refused = await w.managerEast.api.GET('/api/v1/data-quality/summary', { params: { query: { departmentId: w.west } } });
    expect([refused.response.status, refused.error?.code]).toEqual([404, 'NOT_FOUND']);
    expect((await summaryOf(w.admin, { departmentId: w.west })).owners.map((o) => o.ownerId)).toEqual([w.salesWest.id]);
    await expectCountsTrue();
  });

  it('a customer transferred to another department moves its counts when the job runs', async () => {
    const transfer = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesWest.id, customerIds: [c.good], reason: '区域调整' } });
    expect(transfer.response.status).toBe(202);
    await approve(w.managerEast, transfer.data!.approvalId);
    expect((await approve(w.managerWest, transfer.data!.approvalId)).data).toMatchObject({ status: 'approved' });
    // Results are the job's: until it runs, the customer still counts where it was.
    expect(owner(await summaryOf(w.admin), w.salesEast1.id)).toMatchObject({ customers: 4 });
    await recompute(false);
    const s = await summaryOf(w.admin);
    expect(owner(s, w.salesEast1.id)).toMatchObject({ customers: 3 });
    expect(owner(s, w.salesWest.id)).toMatchObject({ customers: 2 });
    expect(department(s, w.east)).toMatchObject({ customers: 9 });
    expect(department(s, w.west)).toMatchObject({ customers: 2 });
    // the manager of East no longer counts it; West's does
    expect(department(await summaryOf(w.managerEast), w.east)).toMatchObject({ customers: 9 });
    expect(department(await summaryOf(w.managerWest), w.west)).toMatchObject({ customers: 2 });
    await expectCountsTrue();
  });

  it('an archived or deleted customer leaves the counts when the job runs; a removed row leaves them at once', async () => {
    // archived (dormant), as the dormancy sweep leaves it
    await sql(`UPDATE customers SET status = 'dormant', archived_at = now(), updated_at = now() WHERE id = $1`, [c.stale]);
    // deleted after both approvals
    const requested = await w.salesEast2.api.POST('/api/v1/customers/{id}/deletion-requests', { params: { path: { id: c.nameOtherRegion } }, body: { reason: '重复建档' } });
    expect(requested.response.status).toBe(202);
    await approve(w.managerEast, requested.data!.id);
    expect((await approve(w.admin, requested.data!.id)).data).toMatchObject({ status: 'approved' });
    // and one new customer, counted on the same run
    c.late = (await createCustomer(w.salesEast2)).id;
    await recompute(false);
    let s = await summaryOf(w.managerEast);
    expect(owner(s, w.salesEast1.id)).toMatchObject({ customers: 2 });
    expect(owner(s, w.salesEast2.id)).toMatchObject({ customers: 6 });
    expect(department(s, w.east)).toMatchObject({ customers: 8 });
    await expectCountsTrue();

    // A customer row removed outright (the foreign key cascades to its result): the counts follow in the same statement, no job needed.
    for (const table of ['contacts', 'customer_tier_changes', 'customer_consents', 'customer_tags']) await sql(`DELETE FROM ${table} WHERE customer_id = $1`, [c.late]);
    await sql(`DELETE FROM customers WHERE id = $1`, [c.late]);
    s = await summaryOf(w.managerEast);
    expect(owner(s, w.salesEast2.id)).toMatchObject({ customers: 5 });
    expect(department(s, w.east)).toMatchObject({ customers: 7 });
    await expectCountsTrue();
  });

  it('a full pass rewriting unchanged results leaves the counts as they were, and they still equal a count from scratch', async () => {
    const before = await storedAndFromScratch();
    await recompute(true);
    const after = await storedAndFromScratch();
    expect(after.stored).toEqual(before.stored);
    expect(after.storedRules).toEqual(before.storedRules);
    await expectCountsTrue();
  });
});
