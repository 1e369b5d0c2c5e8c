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
