import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

/**
 * Name search (issue 14): substrings of one, two and more Chinese characters, mixed Latin and
 * Chinese names, full-width input, exact and prefix matches first; served by the character-pair
 * index (test/explain.e2e-spec.ts checks the plan), with the caller's scope unchanged.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

describe('searching customers by name', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    const make = async (name: string, shortName?: string) => (await createCustomer(w.managerEast, { name, ...(shortName ? { shortName } : {}) })).id;
    ids = {
      huawei: await make('深圳华为技术有限公司', '华为'),
      huaweiExact: await make('华为'),
      huaweiPrefix: await make('华为终端有限公司'),
      midea: await make('佛山美的集团股份有限公司', '美的'),
      tcl: await make('TCL科技集团股份有限公司', 'TCL'),
      huaxin: await make('上海华信能源有限公司'),
      zhongwei: await make('北京中为软件有限公司'),
      pairs: await make('甲乙丙甲贸易有限公司'),
    };
  });

  const search = async (q: string, actor = w.managerEast) => {
    const r = await actor.api.GET('/api/v1/customers', { params: { query: { q, limit: 100 } } });
    if (!r.data) throw new Error(JSON.stringify(r.error));
    return r.data.items.map((c) => c.id);
  };

  it('finds two-character terms anywhere in the name, exact and prefix matches first', async () => {
    // The name or short name that is the term, then those starting with it, then the rest, each by name.
    expect(await search('华为')).toEqual([ids.huaweiExact, ids.huawei, ids.huaweiPrefix]);
    expect(await search('美的')).toEqual([ids.midea]);
  });

  it('finds one character, and three or more characters as a substring only', async () => {
    expect(new Set(await search('为'))).toEqual(new Set([ids.huawei, ids.huaweiExact, ids.huaweiPrefix, ids.zhongwei]));
    expect(await search('华为技')).toEqual([ids.huawei]);
    expect(await search('为技术有限')).toEqual([ids.huawei]);
    // Both pairs of 丙甲乙 occur in 甲乙丙甲, but not the three characters together.
    expect(await search('丙甲乙')).toEqual([]);
    expect(await search('乙丙甲')).toEqual([ids.pairs]);
    expect(await search('美为')).toEqual([]);
  });

  it('finds mixed Latin and Chinese names, in any case, and full-width input', async () => {
    expect(await search('TCL科技')).toEqual([ids.tcl]);
    expect(await search('tcl科')).toEqual([ids.tcl]);
    expect(await search('ＴＣＬ')).toEqual([ids.tcl]); // full-width letters
    expect(await search('ｔｃｌ科技')).toEqual([ids.tcl]);
    expect(await search('L科')).toEqual([ids.tcl]);
  });

  it('keeps the caller’s scope: another department’s sales user finds none of them', async () => {
    expect(await search('华为', w.salesWest)).toEqual([]);
    expect(await search('TCL', w.managerWest)).toEqual([]);
  });

  it('pages through a ranked search with its cursor, and refuses that cursor for another sort', async () => {
    const first = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { q: '华', limit: 2 } } });
    expect(first.data!.items.map((c) => c.id)).toEqual([ids.huaweiExact, ids.huaweiPrefix]);
    const second = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { q: '华', limit: 2, cursor: first.data!.nextCursor! } } });
    // 深圳华为 starts with 华 by its short name; 上海华信 only contains it.
    expect(second.data!.items.map((c) => c.id)).toEqual([ids.huawei, ids.huaxin]);
    expect(second.data!.nextCursor).toBeNull();
    const otherSort = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { q: '华', sort: 'name', cursor: first.data!.nextCursor! } } });
    expect(otherSort.response.status).toBe(400);
    expect(otherSort.error).toMatchObject({ code: 'INVALID_CURSOR' });
  });
  it('finds the same within one department through the department’s grams: a manager, a sales user, an admin filtering by department', async () => {
    const west = (await createCustomer(w.salesWest, { name: '成都华为西南有限公司' })).id;
    const own = (await createCustomer(w.salesEast1, { name: '武汉华为光谷有限公司' })).id;
    expect(await search('华为', w.admin)).toEqual(expect.arrayContaining([ids.huaweiExact, ids.huawei, ids.huaweiPrefix, west, own]));
    expect(await search('华为', w.managerWest)).toEqual([west]);
    expect(await search('华为', w.salesWest)).toEqual([west]);
    expect(await search('华为', w.salesEast1)).toEqual([own]);
    expect(await search('华为')).toEqual([ids.huaweiExact, ids.huawei, ids.huaweiPrefix, own]);
    const filtered = await w.admin.api.GET('/api/v1/customers', { params: { query: { q: '华为', departmentId: w.west, limit: 100 } } });
    expect(filtered.data!.items.map((c) => c.id)).toEqual([west]);
  });

  it('finds a customer moved to another department there, and no longer in its old one', async () => {
    const moved = (await createCustomer(w.salesEast1, { name: '杭州迁移测试有限公司' })).id;
    expect(await search('迁移', w.managerEast)).toEqual([moved]);
    expect(await search('迁移', w.managerWest)).toEqual([]);
    const transfer = (await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesWest.id, customerIds: [moved], reason: '跨部门移交' } })).data!;
    for (const manager of [w.managerEast, w.managerWest]) {
      const r = await manager.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: transfer.approvalId } }, body: { comment: '同意' } });
      expect(r.response.status).toBe(200);
    }
    expect(await search('迁移', w.managerWest)).toEqual([moved]);
    expect(await search('迁移测试', w.salesWest)).toEqual([moved]);
    expect(await search('迁移', w.managerEast)).toEqual([]);
  });

  it('pages an admin’s two-character search across departments and across the rank boundary: exact, then prefix, then the rest, each by name', async () => {
    const make = async (actor: typeof w.admin, name: string, shortName?: string) => ({ id: (await createCustomer(actor, { name, ...(shortName ? { shortName } : {}) })).id, name, shortName });
    const made = [
      // Exact by its name, a prefix by its short name: exact (rank 0) wins.
      await make(w.salesWest, '锦鲤', '锦鲤丙'),
      await make(w.managerEast, '苏州锦鲤文化有限公司', '锦鲤'),
      await make(w.salesEast1, '锦鲤餐饮有限公司'),
      // A prefix by its name and by its short name: found once.
      await make(w.salesWest, '锦鲤乙有限公司', '锦鲤乙'),
      await make(w.managerEast, '杭州锦鲤科技有限公司', '锦鲤科技'),
      await make(w.salesWest, '锦鲤甲有限公司'),
      await make(w.managerEast, '上海金锦鲤有限公司'),
      await make(w.salesWest, '北京小锦鲤有限公司', '小锦鲤'),
    ];
    const rank = (c: { name: string; shortName?: string }) => {
      const keys = [c.name, c.shortName ?? ''];
      return keys.includes('锦鲤') ? 0 : keys.some((k) => k.startsWith('锦鲤')) ? 1 : 2;
    };
    const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const expected = [...made].sort((a, b) => rank(a) - rank(b) || byCodePoint(a.name, b.name) || byCodePoint(a.id, b.id)).map((c) => c.id);
    expect(made.filter((c) => rank(c) < 2)).toHaveLength(6);
    expect(await search('锦鲤', w.admin)).toEqual(expected);
    // Pages of 1 to 7: a page ends on the last prefix match (6) and the next starts with the first substring match.
    for (const limit of [1, 2, 3, 4, 5, 6, 7]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r = await w.admin.api.GET('/api/v1/customers', { params: { query: { q: '锦鲤', limit, ...(cursor ? { cursor } : {}) } } });
        expect(r.response.status).toBe(200);
        seen.push(...r.data!.items.map((c) => c.id));
        if (r.data!.nextCursor === null) break;
        cursor = r.data!.nextCursor;
      }
      expect({ limit, seen }).toEqual({ limit, seen: expected });
    }
    // The archive is another status: none of these are there.
    const archived = await w.admin.api.GET('/api/v1/customers', { params: { query: { q: '锦鲤', status: 'dormant', limit: 2 } } });
    expect(archived.data!.items).toEqual([]);
  });

  it('misses nothing ILIKE finds (recall): every 1- to 4-character substring of every name, as the admin', async () => {
    const rows: { name: string }[] = (await t.db.query(`SELECT name FROM customers WHERE status = 'active'`)).rows;
    const terms = new Set<string>();
    for (const { name } of rows) {
      const chars = [...name];
      for (const length of [1, 2, 3, 4]) for (let i = 0; i + length <= chars.length; i += 2) terms.add(chars.slice(i, i + length).join(''));
    }
    expect(terms.size).toBeGreaterThan(80);
    const han = /\p{Script=Han}/u;
    for (const term of terms) {
      const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const expected = (
        await t.db.query(`SELECT id FROM customers WHERE status = 'active' AND (name ILIKE $1 OR short_name ILIKE $1) ORDER BY id`, [pattern])
      ).rows.map((r: { id: string }) => r.id);
      const found = await search(term, w.admin);
      // Latin terms of three characters or more also match by trigram similarity (typos): more, never fewer.
      if (han.test(term) || term.length < 3) expect({ term, found: [...found].sort() }).toEqual({ term, found: expected });
      else expect({ term, found }).toEqual({ term, found: expect.arrayContaining(expected) });
    }
  });
});
