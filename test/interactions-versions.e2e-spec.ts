import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, World } from './support/world';

/**
 * Issue 12, "Interaction records are versioned, not overwritten", and the interaction bullet of
 * "Dormancy": corrections are new versions that whoever sees the customer can read, summaries say
 * what happened, and a date that cannot be true is refused before it moves the customer's last
 * interaction.
 */

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

async function record(actor: Actor, customer: Customer, body: Partial<{ occurredAt: string; summary: string; nextActionDueAt: string }> = {}) {
  const { data, error } = await actor.api.POST('/api/v1/customers/{id}/interactions', {
    params: { path: { id: customer.id } },
    body: { occurredAt: ago(DAY), channel: 'phone', summary: '电话沟通年度采购计划，客户关注交付周期', ...body },
  });
  if (!data) throw new Error(`record interaction: ${JSON.stringify(error)}`);
  return data;
}

const customerOf = async (actor: Actor, customer: Customer) => (await actor.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } })).data!;
const rowsOf = async (customer: Customer) =>
  (await t.db.query(`SELECT version, summary FROM interactions WHERE customer_id = $1 ORDER BY created_at`, [customer.id])).rows;

describe('corrections are new versions', () => {
  it('keeps every version, readable by whoever sees the customer; the list shows the current one with version and correctedAt', async () => {
    const customer = await createCustomer(w.salesEast1);
    const created = await record(w.salesEast1, customer, { summary: '电话沟通，客户关注交付周期' });
    const path = { params: { path: { id: created.id } } };
    const first = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { ...path, body: { summary: '电话沟通，客户关注的是付款周期', version: 1 } });
    expect(first.response.status).toBe(200);
    const second = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', {
      ...path,
      body: { feedback: '希望月结六十天', agreements: '下周提交付款方案', version: 2 },
    });
    expect(second.data).toMatchObject({ version: 3, correctedBy: w.salesEast1.id, correctedAt: expect.any(String) });

    const versions = await w.salesEast1.api.GET('/api/v1/interactions/{id}/versions', path);
    expect(versions.response.status).toBe(200);
    expect(versions.data!.map((v) => [v.version, v.current, v.summary, v.feedback, v.writtenBy])).toEqual([
      [1, false, '电话沟通，客户关注交付周期', null, w.salesEast1.id],
      [2, false, '电话沟通，客户关注的是付款周期', null, w.salesEast1.id],
      [3, true, '电话沟通，客户关注的是付款周期', '希望月结六十天', w.salesEast1.id],
    ]);
    const [v1, v2, v3] = versions.data!;
    expect(v1.writtenAt).toBe(created.createdAt);
    expect(v1.supersededAt).toBe(v2.writtenAt);
    expect(v2.supersededAt).toBe(v3.writtenAt);
    expect(v3.supersededAt).toBeNull();
    expect(v3.writtenAt).toBe(second.data!.correctedAt);

    // Lists show the record as it is now, and that it was corrected.
    const listed = (await w.managerEast.api.GET('/api/v1/customers/{id}/interactions', { params: { path: { id: customer.id } } })).data!.items;
    expect(listed).toEqual([expect.objectContaining({ id: created.id, version: 3, correctedAt: second.data!.correctedAt, feedback: '希望月结六十天' })]);
    const unchanged = await record(w.salesEast1, customer);
    expect(unchanged).toMatchObject({ version: 1, correctedAt: null, correctedBy: null });
    expect((await w.salesEast1.api.GET('/api/v1/interactions/{id}/versions', { params: { path: { id: unchanged.id } } })).data).toEqual([
      expect.objectContaining({ version: 1, current: true, writtenBy: w.salesEast1.id, writtenAt: unchanged.createdAt, supersededAt: null }),
    ]);

    // The same people who read the customer's interactions read its versions; nobody else learns it exists.
    for (const reader of [w.managerEast, w.service, w.auditor, w.admin]) {
      expect((await reader.api.GET('/api/v1/interactions/{id}/versions', path)).data).toHaveLength(3);
    }
    for (const stranger of [w.salesWest, w.salesEast2, w.managerWest]) {
      const hidden = await stranger.api.GET('/api/v1/interactions/{id}/versions', path);
      expect(hidden.response.status).toBe(404);
      expect(hidden.error).toMatchObject({ code: 'NOT_FOUND' });
      expect(JSON.stringify(hidden.error)).not.toContain('付款周期');
    }
    expect((await w.marketing.api.GET('/api/v1/interactions/{id}/versions', path)).response.status).toBe(403);
    expect((await w.admin.api.GET('/api/v1/interactions/{id}/versions', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } })).response.status).toBe(404);
  });

  it('keeps the versions consistent when two corrections race: one wins, the other gets 412 and writes nothing', async () => {
    const customer = await createCustomer(w.salesEast1);
    const created = await record(w.salesEast1, customer);
    const path = { params: { path: { id: created.id } } };
    const replies = await Promise.all(
      ['电话沟通，更正甲：客户关注质量', '电话沟通，更正乙：客户关注价格'].map((summary) =>
        w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { ...path, body: { summary, version: 1 } }),
      ),
    );
    expect(replies.map((r) => r.response.status).sort()).toEqual([200, 412]);
    const versions = (await w.salesEast1.api.GET('/api/v1/interactions/{id}/versions', path)).data!;
    expect(versions.map((v) => [v.version, v.summary])).toEqual([
      [1, created.summary],
      [2, replies.find((r) => r.response.status === 200)!.data!.summary],
    ]);
  });

  it('shows corrections of interaction records in the customer\'s history, with the old and new text (not their creation)', async () => {
    const customer = await createCustomer(w.salesEast1);
    const created = await record(w.salesEast1, customer, { summary: '上门拜访，客户要求样品' });
    await record(w.salesEast1, customer, { summary: '电话确认样品已寄出' });
    await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { params: { path: { id: created.id } }, body: { summary: '上门拜访，客户要求两套样品', version: 1 } });
    for (const reader of [w.salesEast1, w.managerEast, w.auditor]) {
      const history = (await reader.api.GET('/api/v1/customers/{id}/history', { params: { path: { id: customer.id } } })).data!.items;
      expect(history[0]).toMatchObject({
        action: 'interaction.correct',
        entityType: 'interaction',
        entityId: created.id,
        actorId: w.salesEast1.id,
        changedFields: expect.arrayContaining(['summary', 'version']),
        before: expect.objectContaining({ summary: '上门拜访，客户要求样品' }),
        after: expect.objectContaining({ summary: '上门拜访，客户要求两套样品' }),
      });
      expect(history.filter((e) => e.action === 'interaction.create')).toEqual([]);
      expect(history.map((e) => e.action)).toEqual(['interaction.correct', 'contact.create', 'customer.create']);
    }
  });
});

describe('a summary says what happened', () => {
  it.each(['。。。。。', 'aaaaa', '-----', '电话回访', '  好的  ', '哈哈哈哈哈'])('refuses %p on creation and on correction, naming summary', async (summary) => {
    const customer = await createCustomer(w.salesEast1);
    const refused = await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: { occurredAt: ago(DAY), channel: 'phone', summary },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'summary' })] });
    expect(await rowsOf(customer)).toEqual([]);

    const created = await record(w.salesEast1, customer);
    const correction = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { params: { path: { id: created.id } }, body: { summary, version: 1 } });
    expect(correction.response.status).toBe(400);
    expect(correction.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'summary' })] });
    expect(await rowsOf(customer)).toEqual([{ version: 1, summary: created.summary }]);
  });

  it('accepts five Chinese characters, a real sentence, and trims', async () => {
    const customer = await createCustomer(w.salesEast1);
    expect((await record(w.salesEast1, customer, { summary: '电话回访客' })).summary).toBe('电话回访客');
    const created = await record(w.salesEast1, customer, { summary: '  电话回访，客户满意  ' });
    expect(created.summary).toBe('电话回访，客户满意');
    const corrected = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { params: { path: { id: created.id } }, body: { summary: '电话回访，客户基本满意', version: 1 } });
    expect(corrected.data).toMatchObject({ summary: '电话回访，客户基本满意', version: 2 });
  });
});

describe('occurredAt within what can be true', () => {
  it('refuses a record more than 5 minutes ahead of the clock: nothing is written and the last interaction is not pinned', async () => {
    const customer = await createCustomer(w.salesEast1);
    const future = new Date(Date.now() + 30 * DAY).toISOString();
    const refused = await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: { occurredAt: future, channel: 'visit', summary: '上门拜访，签订年度框架协议' },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'occurredAt' })] });
    expect(await rowsOf(customer)).toEqual([]);
    expect((await customerOf(w.salesEast1, customer)).lastInteractionAt).toBeNull();
    // A clock a little ahead is tolerated.
    const skewed = new Date(Date.now() + 2 * MINUTE).toISOString();
    await record(w.salesEast1, customer, { occurredAt: skewed });
    expect((await customerOf(w.salesEast1, customer)).lastInteractionAt).toBe(skewed);
  });

  it('refuses a record more than a year before the customer was created', async () => {
    const customer = await createCustomer(w.salesEast1);
    const tooEarly = new Date(Date.parse(customer.createdAt) - 366 * DAY).toISOString();
    const refused = await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: { occurredAt: tooEarly, channel: 'phone', summary: '补录：展会上的第一次交谈' },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'occurredAt' })] });
    expect(await rowsOf(customer)).toEqual([]);
    // Contacts before the record existed (up to a year) may be entered late.
    const early = new Date(Date.parse(customer.createdAt) - 300 * DAY).toISOString();
    expect((await record(w.salesEast1, customer, { occurredAt: early })).occurredAt).toBe(early);
    // A customer on file for three years: a record of two years ago is fine, one of five years ago is not.
    await t.db.query(`UPDATE customers SET created_at = now() - interval '3 years' WHERE id = $1`, [customer.id]);
    expect((await record(w.salesEast1, customer, { occurredAt: ago(730 * DAY) })).occurredAt).toEqual(expect.any(String));
    const older = await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: { occurredAt: ago(5 * 365 * DAY), channel: 'phone', summary: '补录：五年前的一次通话' },
    });
    expect(older.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'occurredAt' })] });
  });

  it('on correction: refuses a future date (nothing written, last interaction unchanged) and lets a true one move the last interaction back', async () => {
    const customer = await createCustomer(w.salesEast1);
    const older = await record(w.salesEast1, customer, { occurredAt: ago(10 * DAY), summary: '电话沟通，客户询价' });
    const latest = await record(w.salesEast1, customer, { occurredAt: ago(DAY), summary: '上门拜访，演示产品', nextActionDueAt: new Date(Date.now() + 7 * DAY).toISOString() });
    const path = { params: { path: { id: latest.id } } };
    const future = new Date(Date.now() + 400 * DAY).toISOString();
    const refused = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { ...path, body: { occurredAt: future, version: 1 } });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'occurredAt' })] });
    expect((await customerOf(w.salesEast1, customer)).lastInteractionAt).toBe(latest.occurredAt);
    expect((await w.salesEast1.api.GET('/api/v1/interactions/{id}/versions', path)).data).toHaveLength(1);
    const tooEarly = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { ...path, body: { occurredAt: '2020-01-01T00:00:00Z', version: 1 } });
    expect(tooEarly.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'occurredAt' })] });

    // The visit really took place 20 days ago: the older call is now the last interaction, with its (absent) next action.
    const trueDate = ago(20 * DAY);
    const corrected = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { ...path, body: { occurredAt: trueDate, version: 1 } });
    expect(corrected.data).toMatchObject({ occurredAt: trueDate, version: 2 });
    const after = await customerOf(w.salesEast1, customer);
    expect(after.lastInteractionAt).toBe(older.occurredAt);
    // the visit's next action belonged to the last interaction; now the call's cadence sets the next follow-up
    expect(Date.parse(after.nextFollowUpAt!)).toBeGreaterThan(Date.now() + 7 * DAY + MINUTE);
    expect((await w.salesEast1.api.GET('/api/v1/interactions/{id}/versions', path)).data!.map((v) => v.occurredAt)).toEqual([latest.occurredAt, trueDate]);
  });

  it('lets the author fix a future-dated record written before the rule, which un-pins the last interaction', async () => {
    const customer = await createCustomer(w.salesEast1);
    const created = await record(w.salesEast1, customer, { occurredAt: ago(3 * DAY) });
    // as today's code let it be written
    await t.db.query(`UPDATE interactions SET occurred_at = '2099-01-01T00:00:00Z' WHERE id = $1`, [created.id]);
    await t.db.query(`UPDATE customers SET last_interaction_at = '2099-01-01T00:00:00Z' WHERE id = $1`, [customer.id]);
    const fixed = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', { params: { path: { id: created.id } }, body: { occurredAt: created.occurredAt, version: 1 } });
    expect(fixed.response.status).toBe(200);
    expect((await customerOf(w.salesEast1, customer)).lastInteractionAt).toBe(created.occurredAt);
  });
});
