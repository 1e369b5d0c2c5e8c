import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const group = async (name: string, options: { exclusive?: boolean; allowPersonal?: boolean; order?: number } = {}) => {
  const r = await w.admin.api.POST('/api/v1/tag-groups', { body: { name, ...options } });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data.id;
};
const tag = async (groupId: string, name: string, actor = w.admin, personal?: boolean) => {
  const r = await actor.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: groupId } }, body: { name, personal } });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data.id;
};

describe('the tag framework', () => {
  it('keeps names unique within a group after trimming and case folding, and checks the naming rules', async () => {
    const g = await group('行业');
    await tag(g, 'Manufacturing');
    const dup = await w.admin.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: g } }, body: { name: '  manufacturing ' } });
    expect(dup.response.status).toBe(409);
    expect(dup.error).toMatchObject({ code: 'TAG_NAME_TAKEN', errors: [{ field: 'name' }] });
    const other = await group('规模');
    expect((await w.admin.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: other } }, body: { name: 'Manufacturing' } })).response.status).toBe(201);
    for (const name of ['', 'x'.repeat(31), 'a,b']) {
      const bad = await w.admin.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: g } }, body: { name } });
      expect(bad.response.status).toBe(400);
      expect(bad.error).toMatchObject({ errors: [{ field: 'name' }] });
    }
    const dupGroup = await w.admin.api.POST('/api/v1/tag-groups', { body: { name: ' 行业 ' } });
    expect(dupGroup.error).toMatchObject({ code: 'TAG_NAME_TAKEN' });
  });

  it('lets only admins keep company tags', async () => {
    const g = await group('客户来源细分');
    const bySales = await w.salesEast1.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: g } }, body: { name: '老客户介绍' } });
    expect(bySales.response.status).toBe(403); // the group allows no personal tags
    expect((await w.salesEast1.api.POST('/api/v1/tag-groups', { body: { name: '私建分组' } })).response.status).toBe(403);
  });

  it('shows personal tags to their creator only, and lets nobody else use them', async () => {
    const g = await group('我的关注', { allowPersonal: true });
    const mine = await tag(g, '周末可联系', w.salesEast1);
    const seenBy = async (actor: typeof w.admin) =>
      (await actor.api.GET('/api/v1/tag-groups')).data!.find((x) => x.id === g)!.tags.map((x) => x.id);
    expect(await seenBy(w.salesEast1)).toEqual([mine]);
    expect(await seenBy(w.salesEast2)).toEqual([]);
    expect(await seenBy(w.admin)).toEqual([]);
    const customer = await createCustomer(w.salesEast1);
    const byOwner = await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [mine] } });
    expect(byOwner.data).toEqual([expect.objectContaining({ id: mine, personal: true })]);
    // The manager sees the customer, but not the sales user's personal tag on it.
    const viaManager = await w.managerEast.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } });
    expect(viaManager.data!.tags).toEqual([]);
    const asManager = await w.managerEast.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [mine] } });
    expect(asManager.response.status).toBe(400);
    expect(asManager.error).toMatchObject({ errors: [{ field: 'add' }] });
    // Someone else's personal tag cannot be renamed or deleted: it does not exist for them.
    expect((await w.salesEast2.api.DELETE('/api/v1/tags/{id}', { params: { path: { id: mine } } })).response.status).toBe(404);
  });
});

describe('tags on customers', () => {
  it('replaces the tag of an exclusive group, and the history says so', async () => {
    const stage = await group('采购阶段', { exclusive: true });
    const early = await tag(stage, '初步接触');
    const late = await tag(stage, '方案评估');
    const customer = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: customer.id } } };
    await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { add: [early] } });
    const after = await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { add: [late] } });
    expect(after.data!.map((x) => x.name)).toEqual(['方案评估']);
    const both = await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { add: [early, late] } });
    expect(both.response.status).toBe(400);
    const history = (await w.salesEast1.api.GET('/api/v1/customers/{id}/history', path)).data!.items;
    expect(history[0]).toMatchObject({
      action: 'customer.tags',
      before: { tags: [expect.objectContaining({ name: '初步接触' })] },
      after: { tags: [expect.objectContaining({ name: '方案评估' })] },
      reason: 'exclusive group: replaced 初步接触',
    });
    const made = await w.admin.api.PATCH('/api/v1/tag-groups/{id}', { params: { path: { id: stage } }, body: { allowPersonal: true, version: 1 } });
    expect(made.response.status).toBe(422);
  });

  it('tags many customers at once, reporting invisible ones not_found and leaving them alone', async () => {
    const g = await group('活动');
    const fair = await tag(g, '2026 广交会');
    const mine = await Promise.all([1, 2, 3].map(() => createCustomer(w.salesEast1)));
    const theirs = await createCustomer(w.salesWest);
    await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: mine[0].id } }, body: { add: [fair] } });
    const missing = '00000000-0000-4000-8000-000000000001';
    const r = await w.salesEast1.api.POST('/api/v1/customers/tags/bulk', {
      body: { customerIds: [...mine.map((c) => c.id), theirs.id, missing], add: [fair] },
    });
    expect(r.response.status).toBe(200);
    expect(r.data!.results).toEqual([
      { customerId: mine[0].id, result: 'unchanged' },
      { customerId: mine[1].id, result: 'updated' },
      { customerId: mine[2].id, result: 'updated' },
      { customerId: theirs.id, result: 'not_found' },
      { customerId: missing, result: 'not_found' },
    ]);
    const carried = await t.db.query(`SELECT customer_id FROM customer_tags WHERE tag_id = $1 ORDER BY customer_id`, [fair]);
    expect(carried.rows.map((row) => row.customer_id).sort()).toEqual(mine.map((c) => c.id).sort());
    const audited = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.tags' AND entity_id = $1`, [theirs.id]);
    expect(audited.rows[0].n).toBe(0);
  });

  it('filters customers by all-of and any-of tags, within the caller\'s scope', async () => {
    const g = await group('兴趣');
    const [cloud, storage, ai] = [await tag(g, '云'), await tag(g, '存储'), await tag(g, 'AI')];
    const a = await createCustomer(w.salesEast2);
    const b = await createCustomer(w.salesEast2);
    const c = await createCustomer(w.salesEast2);
    const put = (id: string, add: string[]) => w.salesEast2.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id } }, body: { add } });
    await put(a.id, [cloud, storage]);
    await put(b.id, [cloud]);
    await put(c.id, [ai]);
    const ids = async (query: Record<string, unknown>, actor = w.salesEast2) =>
      (await actor.api.GET('/api/v1/customers', { params: { query: { limit: 100, ...query } } })).data!.items.map((x) => x.id).sort();
    expect(await ids({ tagIds: [cloud, storage] })).toEqual([a.id]);
    expect(await ids({ tagIds: `${cloud},${storage}` })).toEqual([a.id]);
    expect(await ids({ anyTagIds: [storage, ai] })).toEqual([a.id, c.id].sort());
    expect(await ids({ tagIds: [cloud], anyTagIds: [storage, ai] })).toEqual([a.id]);
    expect(await ids({ tagIds: [cloud] }, w.salesEast1)).toEqual([]);
    const listed = (await w.salesEast2.api.GET('/api/v1/customers', { params: { query: { tagIds: [storage] } } })).data!.items[0];
    expect(listed.tags.map((x) => `${x.groupName}/${x.name}`).sort()).toEqual(['兴趣/云', '兴趣/存储'].sort());
  });

  it('deletes a tag from every customer in the same transaction, each in its history', async () => {
    const g = await group('临时');
    const temp = await tag(g, '待清理');
    const customers = await Promise.all([1, 2].map(() => createCustomer(w.salesEast1)));
    await w.salesEast1.api.POST('/api/v1/customers/tags/bulk', { body: { customerIds: customers.map((c) => c.id), add: [temp] } });
    expect((await w.salesEast1.api.DELETE('/api/v1/tags/{id}', { params: { path: { id: temp } } })).response.status).toBe(403);
    expect((await w.admin.api.DELETE('/api/v1/tags/{id}', { params: { path: { id: temp } } })).response.status).toBe(204);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM customer_tags WHERE tag_id = $1`, [temp])).rows[0].n).toBe(0);
    for (const customer of customers) {
      const history = (await w.salesEast1.api.GET('/api/v1/customers/{id}/history', { params: { path: { id: customer.id } } })).data!.items;
      expect(history[0]).toMatchObject({ action: 'customer.tags', reason: 'tag deleted', before: { tags: [expect.objectContaining({ name: '待清理' })] } });
    }
    expect((await w.admin.api.DELETE('/api/v1/tag-groups/{id}', { params: { path: { id: g } } })).response.status).toBe(204);
  });

  it('refuses tagging by roles that only read', async () => {
    const g = await group('只读测试');
    const x = await tag(g, '标记');
    const customer = await createCustomer(w.salesWest);
    for (const actor of [w.service, w.auditor]) {
      const r = await actor.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [x] } });
      expect(r.response.status).toBe(403);
    }
  });
});

describe('a tagged customer in the department lists, whichever way it moves', () => {
  const approve = (actor: typeof w.admin, id: string) => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment: '同意' } });
  const tagged = async (actor: typeof w.admin, tagId: string) =>
    (await actor.api.GET('/api/v1/customers', { params: { query: { tagIds: [tagId], limit: 100 } } })).data!.items.map((c) => c.id);
  const tagRows = async (customerId: string) =>
    (await t.db.query(`SELECT ct.department_id::text AS d FROM customer_tags ct WHERE ct.customer_id = $1`, [customerId])).rows.map((r) => r.d as string);

  it('follows its customer to another department through a transfer, and the database keeps it so against direct writes', async () => {
    const g = await group('迁移测试分组');
    const mark = await tag(g, '重点跟进');
    const customer = await createCustomer(w.salesEast1);
    expect((await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [mark] } })).response.status).toBe(200);
    expect(await tagRows(customer.id)).toEqual([w.east]);
    expect(await tagged(w.managerEast, mark)).toEqual([customer.id]);
    expect(await tagged(w.managerWest, mark)).toEqual([]);

    // 跨部门移交: both managers approve; the customer and its tag rows are West's now.
    const transfer = (await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesWest.id, customerIds: [customer.id], reason: '跨部门移交' } })).data!;
    await approve(w.managerEast, transfer.approvalId);
    expect((await approve(w.managerWest, transfer.approvalId)).data!.status).toBe('approved');
    expect(await tagRows(customer.id)).toEqual([w.west]);
    expect(await tagged(w.managerWest, mark)).toEqual([customer.id]);
    expect(await tagged(w.managerEast, mark)).toEqual([]);
    expect(await tagged(w.admin, mark)).toEqual([customer.id]);

    // No writer can set it apart from the customer's: an insert or update naming another department is corrected.
    await t.db.query(`UPDATE customer_tags SET department_id = $2 WHERE customer_id = $1`, [customer.id, w.east]);
    expect(await tagRows(customer.id)).toEqual([w.west]);
    await t.db.query(`UPDATE customers SET department_id = $2 WHERE id = $1`, [customer.id, w.east]);
    expect(await tagRows(customer.id)).toEqual([w.east]);
  });

  it('takes the department of a move that commits while the tag row is being written', async () => {
    const g = await group('并发迁移分组');
    const mark = await tag(g, '并发标记');
    const customer = await createCustomer(w.salesEast1);
    const mover = await t.db.connect();
    try {
      await mover.query('BEGIN');
      await mover.query(`UPDATE customers SET department_id = $2 WHERE id = $1`, [customer.id, w.west]);
      // The tag row is written while the move is uncommitted: it must wait for it, not keep East.
      const tagging = t.db.query(`INSERT INTO customer_tags (customer_id, tag_id, added_by) VALUES ($1, $2, $3)`, [customer.id, mark, w.salesEast1.id]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await mover.query('COMMIT');
      await tagging;
    } finally {
      mover.release();
    }
    expect(await tagRows(customer.id)).toEqual([w.west]);
  });
});

describe('a tagged customer in the lists by tag and stage, whichever way its stage or status changes', () => {
  const listed = async (actor: typeof w.admin, tagId: string, query: { stage?: 'potential' | 'prospect' | 'customer' | 'strategic'; status?: 'active' | 'dormant' | 'archived' } = {}) =>
    (await actor.api.GET('/api/v1/customers', { params: { query: { tagIds: [tagId], limit: 100, ...query } } })).data!.items.map((c) => c.id);
  const tagRows = async (customerId: string) =>
    (await t.db.query(`SELECT ct.stage, ct.status FROM customer_tags ct WHERE ct.customer_id = $1`, [customerId])).rows as { stage: string; status: string }[];

  it('follows a stage change made through the API and one made in SQL, and corrects a tag row written apart from its customer', async () => {
    const g = await group('阶段测试分组');
    const mark = await tag(g, '阶段标记');
    const customer = await createCustomer(w.salesEast1, { stage: 'potential' });
    expect((await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [mark] } })).response.status).toBe(200);
    expect(await tagRows(customer.id)).toEqual([{ stage: 'potential', status: 'active' }]);
    expect(await listed(w.managerEast, mark, { stage: 'potential' })).toEqual([customer.id]);
    expect(await listed(w.managerEast, mark, { stage: 'prospect' })).toEqual([]);

    // 潜在 → 意向 by the owner, after tagging: the tag row follows, and the lists with it.
    const changed = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: customer.id } }, body: { stage: 'prospect', version: customer.version } });
    expect(changed.response.status).toBe(200);
    expect(await tagRows(customer.id)).toEqual([{ stage: 'prospect', status: 'active' }]);
    expect(await listed(w.managerEast, mark, { stage: 'prospect' })).toEqual([customer.id]);
    expect(await listed(w.managerEast, mark, { stage: 'potential' })).toEqual([]);
    expect(await listed(w.salesEast1, mark, { stage: 'prospect' })).toEqual([customer.id]);

    // Whatever writes the customer (here SQL beside the service), the tag row follows.
    await t.db.query(`UPDATE customers SET stage = 'customer' WHERE id = $1`, [customer.id]);
    expect(await tagRows(customer.id)).toEqual([{ stage: 'customer', status: 'active' }]);
    expect(await listed(w.managerEast, mark, { stage: 'customer' })).toEqual([customer.id]);
    expect(await listed(w.managerEast, mark, { stage: 'prospect' })).toEqual([]);

    // A tag row cannot be set apart from its customer: the database puts the customer's values back.
    await t.db.query(`UPDATE customer_tags SET stage = 'strategic', status = 'archived' WHERE customer_id = $1`, [customer.id]);
    expect(await tagRows(customer.id)).toEqual([{ stage: 'customer', status: 'active' }]);
    expect(await listed(w.managerEast, mark, { stage: 'customer' })).toEqual([customer.id]);
  });

  it('follows a status change: archived, the customer leaves the daily list by tag and stage and shows in the archive', async () => {
    const g = await group('状态测试分组');
    const mark = await tag(g, '状态标记');
    const customer = await createCustomer(w.salesEast1, { stage: 'prospect' });
    expect((await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [mark] } })).response.status).toBe(200);
    expect(await listed(w.managerEast, mark, { stage: 'prospect' })).toEqual([customer.id]);

    await t.db.query(`UPDATE customers SET status = 'dormant', archived_at = now() WHERE id = $1`, [customer.id]);
    expect(await tagRows(customer.id)).toEqual([{ stage: 'prospect', status: 'dormant' }]);
    expect(await listed(w.managerEast, mark, { stage: 'prospect' })).toEqual([]);
    expect(await listed(w.managerEast, mark, { stage: 'prospect', status: 'dormant' })).toEqual([customer.id]);
    expect(await listed(w.admin, mark, { stage: 'prospect', status: 'dormant' })).toEqual([customer.id]);

    await t.db.query(`UPDATE customers SET status = 'active', archived_at = NULL, reactivated_at = now() WHERE id = $1`, [customer.id]);
    expect(await tagRows(customer.id)).toEqual([{ stage: 'prospect', status: 'active' }]);
    expect(await listed(w.managerEast, mark, { stage: 'prospect' })).toEqual([customer.id]);
    expect(await listed(w.managerEast, mark, { stage: 'prospect', status: 'dormant' })).toEqual([]);
  });
});

describe('a tagged customer in the lists by tag in name order, whichever way its name changes', () => {
  type Query = { stage?: 'prospect'; tagIds?: string[]; anyTagIds?: string[]; sort?: 'name' | '-name' };
  /** Every page of the list, `limit` at a time through nextCursor: the names in the order given. */
  const walk = async (actor: typeof w.admin, query: Query, limit = 2) => {
    const names: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const r = await actor.api.GET('/api/v1/customers', { params: { query: { ...query, limit, cursor } } });
      expect(r.response.status).toBe(200);
      names.push(...r.data!.items.map((c) => c.name));
      if (!r.data!.nextCursor) return names;
      cursor = r.data!.nextCursor;
    }
    throw new Error('more pages than customers');
  };
  const tagNames = async (customerId: string) =>
    (await t.db.query(`SELECT ct.customer_name FROM customer_tags ct WHERE ct.customer_id = $1 ORDER BY ct.tag_id`, [customerId])).rows.map((r) => r.customer_name as string);
  const put = (actor: typeof w.admin, id: string, add: string[]) => actor.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id } }, body: { add } });
  /** Names that sort among themselves only (C.UTF-8: by code point after the shared prefix). */
  const prefix = () => `名序${Math.random().toString(36).slice(2, 8)}`;

  it('follows a rename through the API and one in SQL, puts back a tag row written apart, and pages in the new order', async () => {
    const g = await group('名称排序分组');
    const mark = await tag(g, '名称标记');
    const p = prefix();
    const [a, b, c, d] = await Promise.all(['A', 'B', 'C', 'D'].map((x) => createCustomer(w.salesEast1, { name: `${p} ${x}`, stage: 'prospect' })));
    for (const customer of [a, b, c, d]) expect((await put(w.salesEast1, customer.id, [mark])).response.status).toBe(200);
    expect(await tagNames(a.id)).toEqual([`${p} A`]);
    const byTag: Query = { stage: 'prospect', tagIds: [mark] };
    expect(await walk(w.managerEast, byTag)).toEqual([`${p} A`, `${p} B`, `${p} C`, `${p} D`]);

    // Renamed by its owner: the tag row takes the new name, and the customer moves to the end, once.
    const renamed = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: a.id } }, body: { name: `${p} E`, version: a.version } });
    expect(renamed.response.status).toBe(200);
    expect(await tagNames(a.id)).toEqual([`${p} E`]);
    expect(await walk(w.managerEast, byTag)).toEqual([`${p} B`, `${p} C`, `${p} D`, `${p} E`]);
    expect(await walk(w.managerEast, { ...byTag, sort: '-name' })).toEqual([`${p} E`, `${p} D`, `${p} C`, `${p} B`]);
    expect(await walk(w.managerEast, byTag, 3)).toEqual([`${p} B`, `${p} C`, `${p} D`, `${p} E`]);

    // Renamed beside the service (SQL): the tag row follows all the same; C moves to the front.
    await t.db.query(`UPDATE customers SET name = $2 WHERE id = $1`, [c.id, `${p} 0`]);
    expect(await tagNames(c.id)).toEqual([`${p} 0`]);
    expect(await walk(w.managerEast, byTag)).toEqual([`${p} 0`, `${p} B`, `${p} D`, `${p} E`]);

    // A tag row's copy written apart from its customer: the database puts the customer's name back.
    await t.db.query(`UPDATE customer_tags SET customer_name = $2 WHERE customer_id = $1`, [b.id, `${p} Z`]);
    expect(await tagNames(b.id)).toEqual([`${p} B`]);
    expect(await walk(w.managerEast, byTag)).toEqual([`${p} 0`, `${p} B`, `${p} D`, `${p} E`]);

    // The owner (own customers only) and an admin (every department) list the same, in the same order.
    expect(await walk(w.salesEast1, byTag)).toEqual([`${p} 0`, `${p} B`, `${p} D`, `${p} E`]);
    expect(await walk(w.admin, byTag)).toEqual([`${p} 0`, `${p} B`, `${p} D`, `${p} E`]);
    expect(await walk(w.salesEast2, byTag)).toEqual([]);
  });

  it('keeps every tag row of a renamed customer in step: all of two tags, any of them, and a tag with any of others', async () => {
    const g = await group('双标签排序分组');
    const [x, y] = [await tag(g, '甲标记'), await tag(g, '乙标记')];
    const p = prefix();
    const [both1, both2, onlyX, onlyY] = await Promise.all(['B', 'C', 'D', 'E'].map((n) => createCustomer(w.salesEast2, { name: `${p} ${n}`, stage: 'prospect' })));
    expect((await put(w.salesEast2, both1.id, [x, y])).response.status).toBe(200);
    expect((await put(w.salesEast2, both2.id, [x, y])).response.status).toBe(200);
    expect((await put(w.salesEast2, onlyX.id, [x])).response.status).toBe(200);
    expect((await put(w.salesEast2, onlyY.id, [y])).response.status).toBe(200);
    // Both of its tag rows must take the new name: the list checks each tag's row against the name.
    await t.db.query(`UPDATE customers SET name = $2 WHERE id = $1`, [both1.id, `${p} F`]);
    expect(await tagNames(both1.id)).toEqual([`${p} F`, `${p} F`]);
    expect(await walk(w.managerEast, { stage: 'prospect', tagIds: [x, y] }, 1)).toEqual([`${p} C`, `${p} F`]);
    expect(await walk(w.managerEast, { stage: 'prospect', tagIds: [y, x] }, 1)).toEqual([`${p} C`, `${p} F`]);
    expect(await walk(w.managerEast, { stage: 'prospect', anyTagIds: [x, y] })).toEqual([`${p} C`, `${p} D`, `${p} E`, `${p} F`]);
    expect(await walk(w.managerEast, { stage: 'prospect', tagIds: [x], anyTagIds: [y] })).toEqual([`${p} C`, `${p} F`]);
    expect(await walk(w.salesEast2, { stage: 'prospect', tagIds: [y] }, 1)).toEqual([`${p} C`, `${p} E`, `${p} F`]);
    // Each listed customer shows its tags (both here) in the order its own page shows them.
    const page = (await w.managerEast.api.GET('/api/v1/customers', { params: { query: { stage: 'prospect', tagIds: [x, y] } } })).data!.items;
    const shown = async (id: string) => (await w.managerEast.api.GET('/api/v1/customers/{id}', { params: { path: { id } } })).data!.tags;
    expect(page.map((c) => c.tags)).toEqual([await shown(both2.id), await shown(both1.id)]);
    expect(page.map((c) => c.tags.length)).toEqual([2, 2]);
  });

  it('lists a merged customer\'s tag under the survivor\'s name', async () => {
    const g = await group('合并排序分组');
    const mark = await tag(g, '合并标记');
    const p = prefix();
    const survivor = await createCustomer(w.salesEast1, { name: `${p} Y`, stage: 'prospect' });
    const other = await createCustomer(w.salesEast1, { name: `${p} M`, stage: 'prospect' });
    const dup = await createCustomer(w.salesEast1, { name: `${p} A`, stage: 'prospect' });
    expect((await put(w.salesEast1, dup.id, [mark])).response.status).toBe(200);
    expect((await put(w.salesEast1, other.id, [mark])).response.status).toBe(200);
    expect(await walk(w.managerEast, { stage: 'prospect', tagIds: [mark] }, 1)).toEqual([`${p} A`, `${p} M`]);
    const requested = await w.managerEast.api.POST('/api/v1/customers/merge-requests', { body: { survivorId: survivor.id, mergedIds: [dup.id], reason: '同一客户重复建档' } });
    expect(requested.response.status).toBe(202);
    const approved = await w.admin.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: requested.data!.id } }, body: { comment: '同意' } });
    expect(approved.data).toMatchObject({ status: 'approved' });
    expect(await tagNames(survivor.id)).toEqual([`${p} Y`]);
    expect(await walk(w.managerEast, { stage: 'prospect', tagIds: [mark] }, 1)).toEqual([`${p} M`, `${p} Y`]);
  });

  it('refuses a list by somebody else\'s personal tag even where it would find customers, and shows only the caller\'s tags', async () => {
    const g = await group('私人排序分组', { allowPersonal: true });
    const company = await tag(g, '公司标记');
    const mine = await tag(g, '我的标记', w.salesEast1, true);
    const customer = await createCustomer(w.salesEast1, { stage: 'prospect' });
    expect((await put(w.salesEast1, customer.id, [company, mine])).response.status).toBe(200);
    // The manager sees the customer, but the sales user's personal tag is no tag for the manager.
    for (const field of ['tagIds', 'anyTagIds'] as const) {
      const refused = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { [field]: [mine] } } });
      expect(refused.response.status).toBe(400);
      expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field }] });
      const withCompany = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { tagIds: [company], [field]: [mine] } } });
      expect(withCompany.response.status).toBe(400);
    }
    const unknown = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { tagIds: ['00000000-0000-4000-8000-0000000000aa'] } } });
    expect(unknown.response.status).toBe(400);
    expect(unknown.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'tagIds' }] });
    // Its owner lists by it; each sees the tags that are theirs to see on the customer.
    const byOwner = await w.salesEast1.api.GET('/api/v1/customers', { params: { query: { tagIds: [mine] } } });
    expect(byOwner.data!.items.map((c) => [c.id, c.tags.map((tg) => tg.name).sort()])).toEqual([[customer.id, ['我的标记', '公司标记'].sort()]]);
    const byManager = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { tagIds: [company] } } });
    expect(byManager.data!.items.map((c) => [c.id, c.tags.map((tg) => tg.name)])).toEqual([[customer.id, ['公司标记']]]);
  });
});

describe('a list page names its tags as they are when it is read, though the service keeps the catalog in memory', () => {
  const shownTags = async (actor: typeof w.admin, customerId: string, tagId: string) => {
    const r = await actor.api.GET('/api/v1/customers', { params: { query: { tagIds: [tagId], limit: 100 } } });
    expect(r.response.status).toBe(200);
    return r.data!.items.find((c) => c.id === customerId)!.tags.map((tg) => `${tg.groupName}/${tg.name}${tg.personal ? ' (mine)' : ''}`);
  };

  it('shows a tag renamed, reordered or deleted through the API or in SQL, a group renamed, and a new personal tag to its owner only', async () => {
    const g = await group('目录测试分组', { allowPersonal: true });
    const [first, second] = [await tag(g, '目录甲'), await tag(g, '目录乙')];
    const customer = await createCustomer(w.salesEast1);
    expect((await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [first, second] } })).response.status).toBe(200);
    const byId = async (actor: typeof w.admin) =>
      (await actor.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } })).data!.tags.map((tg) => `${tg.groupName}/${tg.name}${tg.personal ? ' (mine)' : ''}`);
    expect(await shownTags(w.managerEast, customer.id, first)).toEqual(await byId(w.managerEast));
    expect((await shownTags(w.managerEast, customer.id, first)).sort()).toEqual(['目录测试分组/目录甲', '目录测试分组/目录乙'].sort());

    // Renamed through the API: the next page has the new name.
    const renamed = await w.admin.api.PATCH('/api/v1/tags/{id}', { params: { path: { id: first } }, body: { name: '目录丙', version: 1 } });
    expect(renamed.response.status).toBe(200);
    expect((await shownTags(w.managerEast, customer.id, first)).sort()).toEqual(['目录测试分组/目录丙', '目录测试分组/目录乙'].sort());
    // Reordered: the page shows the tags in the order the customer's own page does.
    expect((await w.admin.api.PATCH('/api/v1/tags/{id}', { params: { path: { id: second } }, body: { order: 0, version: 1 } })).response.status).toBe(200);
    expect((await w.admin.api.PATCH('/api/v1/tags/{id}', { params: { path: { id: first } }, body: { order: 9, version: 2 } })).response.status).toBe(200);
    expect(await shownTags(w.managerEast, customer.id, first)).toEqual(['目录测试分组/目录乙', '目录测试分组/目录丙']);
    expect(await shownTags(w.managerEast, customer.id, first)).toEqual(await byId(w.managerEast));

    // Beside the service (SQL), a tag and its group: the database moves the catalog's version on.
    await t.db.query(`UPDATE tags SET name = '目录丁' WHERE id = $1`, [second]);
    expect(await shownTags(w.managerEast, customer.id, first)).toEqual(['目录测试分组/目录丁', '目录测试分组/目录丙']);
    await t.db.query(`UPDATE tag_groups SET name = '目录新分组' WHERE id = $1`, [g]);
    expect(await shownTags(w.managerEast, customer.id, first)).toEqual(['目录新分组/目录丁', '目录新分组/目录丙']);

    // A new personal tag: its owner sees it on the page and lists by it; the manager does neither.
    const mine = await tag(g, '目录私人', w.salesEast1, true);
    expect((await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [mine] } })).response.status).toBe(200);
    expect(await shownTags(w.salesEast1, customer.id, mine)).toEqual(await byId(w.salesEast1));
    expect(await shownTags(w.salesEast1, customer.id, mine)).toContain('目录新分组/目录私人 (mine)');
    expect(await shownTags(w.managerEast, customer.id, first)).toEqual(['目录新分组/目录丁', '目录新分组/目录丙']);
    expect((await w.managerEast.api.GET('/api/v1/customers', { params: { query: { tagIds: [mine] } } })).response.status).toBe(400);

    // Deleted: gone from the page, and no longer a tag to list by.
    expect((await w.admin.api.DELETE('/api/v1/tags/{id}', { params: { path: { id: second } } })).response.status).toBe(204);
    expect(await shownTags(w.managerEast, customer.id, first)).toEqual(['目录新分组/目录丙']);
    const gone = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { anyTagIds: [second] } } });
    expect(gone.response.status).toBe(400);
    expect(gone.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'anyTagIds' }] });
  });

  it('names the tags from the database while the version row is missing, and the next tag write puts the row back', async () => {
    const g = await group('目录缺行分组');
    const mark = await tag(g, '缺行甲');
    const customer = await createCustomer(w.salesEast1);
    expect((await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { params: { path: { id: customer.id } }, body: { add: [mark] } })).response.status).toBe(200);
    expect(await shownTags(w.managerEast, customer.id, mark)).toEqual(['目录缺行分组/缺行甲']);
    const [{ version }] = (await t.db.query(`SELECT version::int AS version FROM tag_catalog_version`)).rows;
    await t.db.query(`DELETE FROM tag_catalog_version`);
    await t.db.query(`ALTER TABLE tags DISABLE TRIGGER tags_catalog_changed`);
    try {
      await t.db.query(`UPDATE tags SET name = '缺行乙' WHERE id = $1`, [mark]);
      expect(await shownTags(w.managerEast, customer.id, mark)).toEqual(['目录缺行分组/缺行乙']);
    } finally {
      await t.db.query(`ALTER TABLE tags ENABLE TRIGGER tags_catalog_changed`);
    }
    // The next tag write puts the row back, at a version above every earlier one (the copy kept in
    // memory, at the old version, must not pass for current).
    await t.db.query(`UPDATE tags SET name = '缺行丁' WHERE id = $1`, [mark]);
    expect((await t.db.query(`SELECT version::int AS version FROM tag_catalog_version`)).rows[0].version).toBeGreaterThan(version);
    expect(await shownTags(w.managerEast, customer.id, mark)).toEqual(['目录缺行分组/缺行丁']);
  });
});
