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
});
