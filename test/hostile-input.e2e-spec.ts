import { ADMIN_PASSWORD, startTestApp, TestApp, tokenFor } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, newCustomer, World } from './support/world';

/**
 * Issue 13, "no input gives a 5xx": forged cursors, odd dates, numbers beyond the columns,
 * hostile strings and missing parts are 400 naming the field, write nothing, and the valid
 * neighbours of each still pass.
 */
let t: TestApp;
let w: World;
const tokens = new Map<string, string>();

interface Answer {
  status: number;
  body: { code?: string; errors?: { field: string; message: string }[]; items?: unknown[]; nextCursor?: string | null } & Record<string, unknown>;
}

async function tokenOf(actor: Actor): Promise<string> {
  if (!tokens.has(actor.username)) {
    tokens.set(actor.username, await tokenFor(t, actor.username, actor.username === 'admin' ? ADMIN_PASSWORD : `password-of-${actor.username}`));
  }
  return tokens.get(actor.username)!;
}

/** A raw call: the typed client would not let most of these inputs through. */
async function call(actor: Actor, method: string, path: string, options: { query?: Record<string, string | number>; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(path, t.baseUrl);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.append(key, String(value));
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${await tokenOf(actor)}`, ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

const count = async (table: string) => Number((await t.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);

function expectRefused(answer: Answer, field: string, code = 'VALIDATION_FAILED'): void {
  expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 400, code });
  expect(answer.body.errors?.map((e) => e.field)).toContain(field);
}

const approve = (actor: Actor, id: string) => call(actor, 'POST', `/api/v1/approvals/${id}/approve`, { body: { comment: '同意' } });

let a: Customer;
let exportId: string;

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  a = await createCustomer(w.salesEast1);
  const b = await createCustomer(w.salesEast1);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  for (const customer of [a, a, b]) {
    const recorded = await call(w.salesEast1, 'POST', `/api/v1/customers/${customer.id}/interactions`, {
      body: { occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话沟通二期采购计划', nextActionDueAt: tomorrow },
    });
    expect(recorded.status).toBe(201);
  }
  for (const customer of [a, b]) {
    const complaint = await call(w.service, 'POST', '/api/v1/complaints', {
      body: { customerId: customer.id, channel: 'phone', category: 'price', severity: 'general', title: '报价', description: '报价偏高', customerMood: 'calm', receivedAt: new Date().toISOString() },
    });
    expect(complaint.status).toBe(201);
  }
  for (let i = 0; i < 2; i += 1) {
    const moved = await createCustomer(w.salesEast1);
    expect((await call(w.salesEast1, 'POST', '/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [moved.id], reason: '区域调整' } })).status).toBe(202);
    const doomed = await createCustomer(w.salesEast1);
    const deletion = await call(w.salesEast1, 'POST', `/api/v1/customers/${doomed.id}/deletion-requests`, { body: { reason: '重复建档' } });
    expect(deletion.status).toBe(202);
    await approve(w.managerEast, deletion.body.id as string);
    expect((await approve(w.admin, deletion.body.id as string)).body.status).toBe('approved');
  }
  const requested = await call(w.salesEast1, 'POST', '/api/v1/exports', { body: { filter: {}, format: 'csv', reason: '季度配送计划', recipient: '顺丰速运华东区' } });
  expect(requested.status).toBe(202);
  exportId = requested.body.id as string;
  await approve(w.managerEast, requested.body.approvalId as string);
  expect((await call(w.salesEast1, 'PATCH', `/api/v1/customers/${a.id}`, { body: { notes: '展会上认识', version: a.version } })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('cursors: only what the server issued, for the same list', () => {
  const LISTS: [string, () => [Actor, string, Record<string, string>]][] = [
    ['customers', () => [w.admin, '/api/v1/customers', {}]],
    ['customer interactions', () => [w.salesEast1, `/api/v1/customers/${a.id}/interactions`, {}]],
    ['interactions', () => [w.admin, '/api/v1/interactions', {}]],
    ['complaints', () => [w.admin, '/api/v1/complaints', {}]],
    ['approvals', () => [w.salesEast1, '/api/v1/approvals', { view: 'requested' }]],
    ['transfers', () => [w.admin, '/api/v1/transfers', {}]],
    ['users', () => [w.admin, '/api/v1/users', {}]],
    ['deletion records', () => [w.auditor, '/api/v1/deletion-records', {}]],
    ['due follow-ups', () => [w.admin, '/api/v1/follow-ups/due', { scope: 'all', before: '2200-01-01T00:00:00Z' }]],
    ['customer history', () => [w.admin, `/api/v1/customers/${a.id}/history`, {}]],
    ['audit log', () => [w.auditor, '/api/v1/audit-logs', {}]],
    ["an export's customer ids", () => [w.salesEast1, `/api/v1/exports/${exportId}/customer-ids`, {}]],
  ];

  const firstPage = async (list: () => [Actor, string, Record<string, string>]) => {
    const [actor, path, query] = list();
    const page = await call(actor, 'GET', path, { query: { ...query, limit: 1 } });
    expect(page.status).toBe(200);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    return { actor, path, query, page };
  };

  it.each(LISTS)('%s: the nextCursor it issued still leads to the next page', async (_name, list) => {
    const { actor, path, query, page } = await firstPage(list);
    const next = await call(actor, 'GET', path, { query: { ...query, limit: 1, cursor: page.body.nextCursor! } });
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items).not.toEqual(page.body.items);
  });

  it.each(LISTS)('%s: a forged, a damaged and another list\'s cursor are 400 INVALID_CURSOR', async (name, list) => {
    const { actor, path, query, page } = await firstPage(list);
    const issued = page.body.nextCursor!;
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    const foreign = (await firstPage(name === 'users' ? LISTS[0][1] : LISTS[6][1])).page.body.nextCursor!;
    const forged = [
      Buffer.from(JSON.stringify(['zzz', '00000000-0000-0000-0000-000000000000'])).toString('base64url'),
      Buffer.from(JSON.stringify(['name', "'; DROP TABLE customers; --", 1])).toString('base64url'),
      `${issued.split('.')[0]}.${'A'.repeat(43)}`,
      flip(issued, 2),
      flip(issued, issued.length - 3),
      issued.slice(0, -1),
      foreign,
      'not a cursor at all',
    ];
    for (const cursor of forged) {
      const answer = await call(actor, 'GET', path, { query: { ...query, limit: 1, cursor } });
      expectRefused(answer, 'cursor', 'INVALID_CURSOR');
    }
  });
});

describe('dates: RFC 3339 date-times and calendar dates only', () => {
  const BAD_DATE_TIMES = ['2024-W01-1', '2024-123', '20240101T1200Z', '2024-02-30T10:00:00Z', '2026-03-01T24:00:00Z', '1899-12-31T23:00:00Z', '2201-01-01T00:00:00Z', '2026-03-01T09:30Z', '2026-03-01'];

  it.each(BAD_DATE_TIMES)('%s in a query is 400 naming the parameter', async (value) => {
    expectRefused(await call(w.admin, 'GET', '/api/v1/interactions', { query: { from: value } }), 'from');
    expectRefused(await call(w.auditor, 'GET', '/api/v1/audit-logs', { query: { to: value } }), 'to');
  });

  it.each(BAD_DATE_TIMES)('%s in a body is 400 naming the field, and nothing is recorded', async (value) => {
    const before = await count('interactions');
    const answer = await call(w.salesEast1, 'POST', `/api/v1/customers/${a.id}/interactions`, { body: { occurredAt: value, channel: 'phone', summary: '电话沟通二期采购计划' } });
    expectRefused(answer, 'occurredAt');
    expect(await count('interactions')).toBe(before);
  });

  it.each(['2024-02-30', '2023-02-29', '2024-W01-1', '2024-123', '20240101', '1899-12-31', '2201-01-01', '2024-01-01T00:00:00Z'])('cooperationSince %s is 400; the calendar path too', async (value) => {
    const before = await count('customers');
    expectRefused(await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ cooperationSince: value }) }), 'cooperationSince');
    expect(await count('customers')).toBe(before);
    expectRefused(await call(w.admin, 'PUT', `/api/v1/calendar/days/${value}`, { body: { kind: 'holiday', name: '假日' } }), 'date');
  });

  it('still accepts offsets, fractions and real leap days', async () => {
    expect((await call(w.admin, 'GET', '/api/v1/interactions', { query: { from: '2024-02-29T09:30:00.250+08:00', to: '2200-12-31T23:59:59Z' } })).status).toBe(200);
    const created = await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ cooperationSince: '2024-02-29' }) });
    expect(created.status).toBe(201);
    expect(created.body.cooperationSince).toBe('2024-02-29');
  });
});

describe('numbers: within the columns', () => {
  it('a version beyond int4, in the body or in If-Match, is 400 and changes nothing', async () => {
    const customer = await createCustomer(w.salesEast1);
    expectRefused(await call(w.salesEast1, 'PATCH', `/api/v1/customers/${customer.id}`, { body: { notes: '改', version: 2147483648 } }), 'version');
    expectRefused(await call(w.salesEast1, 'PATCH', `/api/v1/customers/${customer.id}`, { body: { notes: '改' }, headers: { 'if-match': '"2147483648"' } }), 'version');
    expectRefused(await call(w.salesEast1, 'PATCH', `/api/v1/customers/${customer.id}`, { body: { notes: '改' }, headers: { 'if-match': `"${'9'.repeat(30)}"` } }), 'version');
    expectRefused(await call(w.admin, 'PATCH', `/api/v1/users/${w.salesEast2.id}`, { body: { displayName: '改', version: 2147483648 } }), 'version');
    expectRefused(await call(w.admin, 'POST', '/api/v1/tag-groups', { body: { name: '大数', order: 2147483648 } }), 'order');
    expectRefused(await call(w.admin, 'GET', '/api/v1/calendar', { query: { year: '99999999999' } }), 'year');
    expectRefused(await call(w.admin, 'GET', '/api/v1/customers', { query: { limit: '1e3' } }), 'limit');
    const row = (await t.db.query(`SELECT version, notes FROM customers WHERE id = $1`, [customer.id])).rows[0];
    expect(row).toEqual({ version: customer.version, notes: null });
  });

  it.each([1e-7, 12.345, 0.1 + 0.2, 1e16, -1])('annualRevenue %p is 400, not a crash, and nothing is written', async (annualRevenue) => {
    const before = await count('customers');
    expectRefused(await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ annualRevenue }) }), 'annualRevenue');
    expect(await count('customers')).toBe(before);
  });

  it('a revenue in yuan and fen, up to the maximum, or in exponent form that is whole, still passes', async () => {
    expect((await call(w.salesEast1, 'POST', '/api/v1/customers', { rawBody: JSON.stringify(newCustomer({ annualRevenue: 0 })).replace('"annualRevenue":0', '"annualRevenue":1.2e7') })).status).toBe(201);
    for (const annualRevenue of [1_234_567.89, 9_999_999_999_999]) {
      const created = await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ annualRevenue }) });
      expect(created.status).toBe(201);
      expect((await t.db.query(`SELECT annual_revenue::float8 AS v FROM customers WHERE id = $1`, [created.body.id])).rows[0].v).toBe(annualRevenue);
    }
  });
});

describe('strings: NUL, unpaired surrogates and normalised lengths', () => {
  it.each([
    ['a NUL in a body field', { name: '测试\u0000公司' }, 'name'],
    ['a lone high surrogate', { notes: 'ok \ud800 then' }, 'notes'],
    ['a lone low surrogate at the start', { shortName: '\udc00x' }, 'shortName'],
    ['a NUL in a nested array element', { contacts: [{ name: '张\u0000伟', mobile: '13912345678' }] }, 'contacts[0].name'],
    ['a NUL in a field no route has', { extra: '\u0000' }, 'extra'],
  ])('%s is 400 naming the field, and nothing is written', async (_what, override, field) => {
    const before = await count('customers');
    expectRefused(await call(w.salesEast1, 'POST', '/api/v1/customers', { body: { ...newCustomer(), ...override } }), field);
    expect(await count('customers')).toBe(before);
  });

  it('in a query, a path and a login alike', async () => {
    expectRefused(await call(w.admin, 'GET', '/api/v1/customers', { query: { q: 'a\u0000b' } }), 'q');
    expectRefused(await call(w.admin, 'GET', `/api/v1/customers/${encodeURIComponent('\u0000')}`), 'id');
    const login = await fetch(`${t.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"adm\\ud800in","password":"x"}' });
    expect(login.status).toBe(400);
    expect(((await login.json()) as Answer['body']).errors?.[0].field).toBe('username');
  });

  it('nesting deeper than any route defines is 400, not a stack overflow', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const answer = await call(w.salesEast1, 'POST', '/api/v1/customers', { rawBody: `{"name":"深","needs":${deep}}` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0].message).toMatch(/nested too deeply/);
  });

  it('paired surrogates (emoji) are text like any other', async () => {
    expect((await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ notes: '客户喜欢 😀' }) })).status).toBe(201);
  });

  it('a customer name is limited in its stored, normalised form: ㍿ is four characters once NFKC folds it', async () => {
    const before = await count('customers');
    const tooLong = await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ name: '㍿'.repeat(51) }) });
    expectRefused(tooLong, 'name');
    expect(await count('customers')).toBe(before);
    const atLimit = await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ name: '㍿'.repeat(50) }) });
    expect(atLimit.status).toBe(201);
    expect((await t.db.query(`SELECT length(name_normalized) AS n FROM customers WHERE id = $1`, [atLimit.body.id])).rows[0].n).toBe(200);
    expectRefused(await call(w.salesEast1, 'PATCH', `/api/v1/customers/${atLimit.body.id as string}`, { body: { name: `${'㍿'.repeat(50)}株`, version: atLimit.body.version } }), 'name');
  });

  it('a tag name is limited in its stored key too: İ lower-cases to two characters', async () => {
    const before = await count('tag_groups');
    expectRefused(await call(w.admin, 'POST', '/api/v1/tag-groups', { body: { name: 'İ'.repeat(16) } }), 'name');
    expect(await count('tag_groups')).toBe(before);
    expect((await call(w.admin, 'POST', '/api/v1/tag-groups', { body: { name: 'İ'.repeat(15) } })).status).toBe(201);
    expectRefused(await call(w.admin, 'POST', '/api/v1/tag-groups', { body: { name: 'x'.repeat(201) } }), 'name');
  });

  it('contact details have a length limit before they are parsed', async () => {
    expectRefused(await call(w.salesEast1, 'POST', `/api/v1/customers/${a.id}/contacts`, { body: { name: '李四', mobile: `139${' '.repeat(40)}12345678` } }), 'mobile');
    expectRefused(await call(w.salesEast1, 'POST', `/api/v1/customers/${a.id}/contacts`, { body: { name: '李四', email: `${'a'.repeat(250)}@example.com` } }), 'email');
  });
});

describe('missing parts: 400 naming the part', () => {
  it.each([
    ['without filter', {}],
    ['with filter null', { filter: null }],
    ['with filter a string', { filter: 'all' }],
    ['with filter an array', { filter: [] }],
  ])('POST /exports %s is 400 naming filter, and no export is requested', async (_what, override) => {
    const before = await count('exports');
    const answer = await call(w.salesEast1, 'POST', '/api/v1/exports', { body: { format: 'csv', reason: '季度配送计划', recipient: '顺丰速运华东区', ...override } });
    expectRefused(answer, 'filter');
    expect(await count('exports')).toBe(before);
  });

  it('nested objects and arrays of objects that are not objects are 400 naming them', async () => {
    const before = await count('customers');
    expectRefused(await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ contacts: [null as never] }) }), 'contacts');
    expectRefused(await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ contacts: ['张伟' as never] }) }), 'contacts');
    expectRefused(await call(w.salesEast1, 'POST', '/api/v1/customers', { body: newCustomer({ needs: '很多' as never }) }), 'needs');
    expect(await count('customers')).toBe(before);
    expectRefused(await call(w.admin, 'PUT', '/api/v1/complaints/sla-policy', { body: { severities: [1, 2, 3] } }), 'severities');
    expectRefused(await call(w.admin, 'PUT', '/api/v1/industries', { body: { industries: [null] } }), 'industries');
    expectRefused(await call(w.admin, 'POST', '/api/v1/tiers', { body: { criteria: 'x' } }), 'criteria');
  });

  it('a request without any body is 400 listing the required fields', async () => {
    const answer = await call(w.salesEast1, 'POST', '/api/v1/exports');
    expectRefused(answer, 'filter');
    expect(answer.body.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['reason', 'recipient']));
  });

  it('the complete export request still passes', async () => {
    expect((await call(w.salesEast1, 'POST', '/api/v1/exports', { body: { filter: { stage: 'prospect' }, format: 'csv', reason: '季度配送计划', recipient: '顺丰速运华东区' } })).status).toBe(202);
  });
});
