import { createHash, randomBytes } from 'node:crypto';
import type { components } from './support/test-app';
import { startTestApp, TestApp, tokenFor } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

type ExportFilter = components['schemas']['ExportFilterDto'];

let t: TestApp;
let w: World;
/** A second admin and a second East manager, so that the world's admin and managerEast can decide their requests. */
let adminEast: Actor;
let managerEast2: Actor;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  adminEast = await t.userClient('admin', { departmentId: w.east });
  managerEast2 = await t.userClient('manager', { departmentId: w.east });
});
afterAll(() => t.close());

const approve = (actor: Actor, id: string, comment = '同意') => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment } });
const requestExport = (actor: Actor, filter: ExportFilter, recipient = '顺丰速运华东区', reason = '季度配送计划') =>
  actor.api.POST('/api/v1/exports', { body: { filter, format: 'csv', reason, recipient } });
const getExport = (actor: Actor, id: string) => actor.api.GET('/api/v1/exports/{id}', { params: { path: { id } } });
const customerIds = (actor: Actor, id: string, query: { limit?: number; cursor?: string } = {}) =>
  actor.api.GET('/api/v1/exports/{id}/customer-ids', { params: { path: { id }, query } });
const digestOf = (ids: string[]) => createHash('sha256').update([...ids].sort().join('\n'), 'utf8').digest('hex');
const unique = () => randomBytes(3).toString('hex');

async function download(actor: Actor, exportId: string): Promise<Response> {
  const token = await tokenFor(t, actor.username, `password-of-${actor.username}`);
  return fetch(`${t.baseUrl}/api/v1/exports/${exportId}/download`, { headers: { authorization: `Bearer ${token}` } });
}

/** RFC 4180 as csv-stringify writes it: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  const [header, ...records] = rows;
  return records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** The downloaded file: checks the BOM, returns the header and the records. */
async function csvOf(response: Response): Promise<{ header: string[]; records: Record<string, string>[]; text: string }> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = new TextDecoder().decode(bytes.slice(3));
  return { header: text.split('\n')[0].split(','), records: parseCsv(text), text };
}

/** A manager who is not the step's decider neither sees nor decides the request. */
async function expectRefused(manager: Actor, approvalId: string): Promise<void> {
  const refused = await approve(manager, approvalId);
  expect(refused.response.status).toBe(404);
  expect(refused.error).toMatchObject({ code: 'NOT_FOUND' });
  expect((await manager.api.GET('/api/v1/approvals', { params: { query: { view: 'to-decide' } } })).data!.items.map((a) => a.id)).not.toContain(approvalId);
}

const COMMERCIAL = ['needs', 'notes', 'annualRevenue', 'creditCode', 'cooperationSince', 'potentialScore'];

describe('who approves an export (the approver answers for all the data in it)', () => {
  type RequesterRole = 'admin' | 'manager' | 'sales' | 'service' | 'marketing';
  type FilterKind = 'none' | 'own department' | 'another department';
  const requesterOf = (role: RequesterRole): Actor =>
    ({ admin: adminEast, manager: managerEast2, sales: w.salesEast1, service: w.service, marketing: w.marketing })[role];
  const filterOf = (kind: FilterKind): ExportFilter => ({ none: {}, 'own department': { departmentId: w.east }, 'another department': { departmentId: w.west } })[kind];
  const cases: [RequesterRole, FilterKind, 'department_manager' | 'admin'][] = [];
  for (const role of ['admin', 'manager', 'sales', 'service', 'marketing'] as const) {
    for (const filter of ['none', 'own department', 'another department'] as const) {
      cases.push([role, filter, (role === 'manager' || role === 'sales') && filter !== 'another department' ? 'department_manager' : 'admin']);
    }
  }

  it.each(cases)('%s requester, filter %s: decided by %s', async (role, filterKind, expected) => {
    const requester = requesterOf(role);
    const requested = await requestExport(requester, { ...filterOf(filterKind), q: `无此客户${unique()}` });
    expect(requested.response.status).toBe(202);
    const approvalId = requested.data!.approvalId;
    const approval = (await requester.api.GET('/api/v1/approvals/{id}', { params: { path: { id: approvalId } } })).data!;
    expect(approval.steps).toHaveLength(1);
    expect(approval.steps[0]).toMatchObject({ deciderKind: expected, departmentId: expected === 'admin' ? null : w.east });
    if (expected === 'admin') {
      // The original bypass: a department's manager approving what reaches beyond their department.
      // An admin step is not theirs to see, so the engine answers 404 (no existence leak).
      for (const manager of [w.managerEast, w.managerWest]) await expectRefused(manager, approvalId);
      expect((await approve(w.admin, approvalId)).data).toMatchObject({ status: 'approved' });
    } else {
      await expectRefused(w.managerWest, approvalId);
      expect((await approve(w.managerEast, approvalId)).data).toMatchObject({ status: 'approved' });
    }
    expect((await getExport(requester, requested.data!.id)).data).toMatchObject({ status: 'approved', rowCount: 0, idsDigest: digestOf([]) });
  });

  it('service and marketing cannot rebuild the company-wide export one department at a time through their own manager', async () => {
    for (const requester of [w.service, w.marketing]) {
      for (const departmentId of [w.east, w.west]) {
        const requested = await requestExport(requester, { departmentId });
        await expectRefused(w.managerEast, requested.data!.approvalId);
        await expectRefused(w.managerWest, requested.data!.approvalId);
        expect((await getExport(requester, requested.data!.id)).data!.status).toBe('pending');
      }
    }
  });
});

describe('recipient (who the data is for)', () => {
  it.each([
    ['missing', undefined],
    ['blank', '   '],
    ['over 200 characters', 'x'.repeat(201)],
  ])('refuses a request with the recipient %s', async (_what, recipient) => {
    const body = { filter: {}, format: 'csv' as const, reason: '季度配送计划', ...(recipient === undefined ? {} : { recipient }) };
    const refused = await w.salesEast1.api.POST('/api/v1/exports', { body: body as never });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: expect.arrayContaining([expect.objectContaining({ field: 'recipient' })]) });
  });
});

describe('what an export holds (snapshot at approval, formula guard, role projection)', () => {
  it('takes the ids at approval, streams exactly those with every cell guarded, and lets an auditor say what left and to whom', async () => {
    const tag = unique();
    const formula = await createCustomer(w.salesEast1, {
      name: `=HYPERLINK("http://evil.example")快照${tag}有限公司`,
      shortName: `@SUM(快照${tag})`,
      notes: `+cmd|' /C calc'!A0 备注${tag}`,
      needs: { purchaseIntent: '年底采购服务器' },
      annualRevenue: 12345678.5,
      potentialScore: 85,
      contacts: [{ name: `-联系人${tag}`, mobile: '13912345678', email: `kuai.${tag}@example.com` }],
    });
    const plain = await createCustomer(w.salesEast1, { name: `快照${tag}贸易有限公司` });
    const gone = await createCustomer(w.salesEast1, { name: `快照${tag}待删除有限公司` });
    await createCustomer(w.salesEast2, { name: `快照${tag}别人的有限公司` }); // not in the requester's view

    const requested = await requestExport(w.salesEast1, { q: `快照${tag}` }, '顺丰速运华东区（王芳）');
    expect(requested.data).toMatchObject({ recipient: '顺丰速运华东区（王芳）', rowCount: null, idsDigest: null, requesterRole: 'sales', requesterDepartmentId: w.east });
    const exportId = requested.data!.id;
    expect((await customerIds(w.salesEast1, exportId)).data).toEqual({ items: [], nextCursor: null });
    const approved = await approve(w.managerEast, requested.data!.approvalId);
    expect(approved.data).toMatchObject({ status: 'approved', payload: { recipient: '顺丰速运华东区（王芳）' } });

    const taken = [formula.id, plain.id, gone.id];
    const record = (await getExport(w.auditor, exportId)).data!;
    expect(record).toMatchObject({ status: 'approved', recipient: '顺丰速运华东区（王芳）', rowCount: 3, idsDigest: digestOf(taken) });
    expect(approved.data!.result).toMatchObject({ exportId, recipient: '顺丰速运华东区（王芳）', rowCount: 3, idsDigest: digestOf(taken) });

    // The ids, keyset paginated, for the requester, admins and auditors; to anyone else the export does not exist.
    const first = await customerIds(w.auditor, exportId, { limit: 2 });
    expect(first.data!.items).toHaveLength(2);
    const second = await customerIds(w.auditor, exportId, { limit: 2, cursor: first.data!.nextCursor! });
    expect(second.data).toMatchObject({ nextCursor: null });
    expect([...first.data!.items, ...second.data!.items]).toEqual([...taken].sort());
    expect((await customerIds(w.admin, exportId)).data!.items).toHaveLength(3);
    expect((await customerIds(w.salesEast1, exportId)).data!.items).toHaveLength(3);
    for (const other of [w.salesEast2, w.managerEast, w.service]) {
      const hidden = await customerIds(other, exportId);
      expect(hidden.response.status).toBe(404);
      expect(hidden.error).toMatchObject({ code: 'NOT_FOUND' });
    }
    const forged = await customerIds(w.auditor, exportId, { cursor: Buffer.from(JSON.stringify(['x; DROP TABLE'])).toString('base64url') });
    expect(forged.response.status).toBe(400);

    // After approval: a new matching customer stays out; a deleted one is left out of the file.
    const late = await createCustomer(w.salesEast1, { name: `快照${tag}后来的有限公司` });
    const deletion = await w.salesEast1.api.POST('/api/v1/customers/{id}/deletion-requests', { params: { path: { id: gone.id } }, body: { reason: '重复建档' } });
    await approve(w.managerEast, deletion.data!.id);
    expect((await approve(w.admin, deletion.data!.id)).data!.status).toBe('approved');

    const refusedToOthers = await download(w.salesEast2, exportId);
    expect(refusedToOthers.status).toBe(404);
    const { header, records } = await csvOf(await download(w.salesEast1, exportId));
    expect(header).toEqual(expect.arrayContaining(COMMERCIAL)); // sales receive the commercial record
    expect(records.map((r) => r.id).sort()).toEqual([formula.id, plain.id].sort());
    expect(records.map((r) => r.id)).not.toContain(late.id);
    const row = records.find((r) => r.id === formula.id)!;
    // Every cell that would start a formula starts with an apostrophe instead...
    expect(row.name).toBe(`'=HYPERLINK("http://evil.example")快照${tag}有限公司`);
    expect(row.shortName).toBe(`'@SUM(快照${tag})`);
    expect(row.notes).toBe(`'+cmd|' /C calc'!A0 备注${tag}`);
    expect(row.primaryContact).toBe(`'-联系人${tag}`);
    // ...mobiles in E.164 included: "+86..." would be read as a number or formula, so it reads "'+86...".
    expect(row.mobile).toBe(`'+8613912345678`);
    expect(records.every((r) => Object.values(r).every((cell) => !/^[=+\-@\t\r]/.test(cell)))).toBe(true);
    expect(row).toMatchObject({ annualRevenue: '12345678.50', potentialScore: '85', needs: JSON.stringify({ purchaseIntent: '年底采购服务器' }) });

    // Who the data went to is in the audit trail: request, execution, download.
    const audit = await t.db.query(
      `SELECT action, after FROM audit_log WHERE (entity_type = 'approval' AND entity_id = $1) OR (entity_type = 'export' AND entity_id = $2) ORDER BY id`,
      [requested.data!.approvalId, exportId],
    );
    const entry = (action: string) => audit.rows.find((r) => r.action === action)?.after;
    expect(entry('approval.request')).toMatchObject({ payload: { recipient: '顺丰速运华东区（王芳）' } });
    expect(entry('approval.execute')).toMatchObject({ result: { recipient: '顺丰速运华东区（王芳）', rowCount: 3, idsDigest: digestOf(taken) } });
    expect(entry('export.download')).toMatchObject({ recipient: '顺丰速运华东区（王芳）', rowCount: 3, idsDigest: digestOf(taken), rowsNow: 2, downloadNumber: 1 });
  });

  it('gives service no commercial record, with personal data masked', async () => {
    const tag = unique();
    const customer = await createCustomer(w.salesEast1, {
      name: `客服导出${tag}有限公司`,
      notes: `机密备注${tag}`,
      needs: { budgetRange: `预算${tag}` },
      annualRevenue: 9876543,
      creditCode: '91350100M000100Y43',
      cooperationSince: '2021-03-01',
      potentialScore: 77,
      contacts: [{ name: '客服联系人', mobile: '13712345678' }],
    });
    const requested = await requestExport(w.service, { q: `客服导出${tag}` }, '客服外包呼叫中心');
    await approve(w.admin, requested.data!.approvalId);
    const { header, records, text } = await csvOf(await download(w.service, requested.data!.id));
    for (const field of COMMERCIAL) expect(header).not.toContain(field);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: customer.id, mobile: '137****5678' });
    for (const secret of [`机密备注${tag}`, `预算${tag}`, '9876543', '91350100M000100Y43', '2021-03-01', '13712345678']) expect(text).not.toContain(secret);
    // The same customer exported by its owner carries the commercial record: the projection, not missing data.
    const bySales = await requestExport(w.salesEast1, { q: `客服导出${tag}` });
    await approve(w.managerEast, bySales.data!.approvalId);
    const owner = await csvOf(await download(w.salesEast1, bySales.data!.id));
    expect(owner.records[0]).toMatchObject({ notes: `机密备注${tag}`, creditCode: '91350100M000100Y43', cooperationSince: '2021-03-01', potentialScore: '77' });
  });

  it('gives marketing only customers whose marketing consent is granted, at approval and still at download', async () => {
    const tag = unique();
    const consent = (id: string, status: 'granted' | 'withdrawn') =>
      w.salesEast1.api.POST('/api/v1/customers/{id}/consent', { params: { path: { id } }, body: { status, channel: 'sms', evidence: `电话确认 ${tag}` } });
    const granted = await createCustomer(w.salesEast1, { name: `营销导出${tag}甲有限公司` });
    const withdrawnLater = await createCustomer(w.salesEast1, { name: `营销导出${tag}乙有限公司` });
    const never = await createCustomer(w.salesEast1, { name: `营销导出${tag}丙有限公司` });
    expect((await consent(granted.id, 'granted')).response.status).toBe(201);
    expect((await consent(withdrawnLater.id, 'granted')).response.status).toBe(201);

    // Asking for non-marketable customers does not widen what marketing receives.
    const requested = await requestExport(w.marketing, { q: `营销导出${tag}`, marketable: false }, '短信服务商');
    await approve(w.admin, requested.data!.approvalId);
    const ids = (await customerIds(w.marketing, requested.data!.id)).data!.items;
    expect(ids.sort()).toEqual([granted.id, withdrawnLater.id].sort());
    expect(ids).not.toContain(never.id);
    expect((await getExport(w.marketing, requested.data!.id)).data!.rowCount).toBe(2);

    await consent(withdrawnLater.id, 'withdrawn');
    const { records } = await csvOf(await download(w.marketing, requested.data!.id));
    expect(records.map((r) => r.id)).toEqual([granted.id]);
    expect(records[0].marketingConsent).toBe('granted');
  });
});

describe('the requester must still be who asked', () => {
  async function moveUser(actor: Actor, changes: { role?: 'service'; departmentId?: string }) {
    const user = (await w.admin.api.GET('/api/v1/users/{id}', { params: { path: { id: actor.id } } })).data!;
    const moved = await w.admin.api.PATCH('/api/v1/users/{id}', { params: { path: { id: actor.id } }, body: { ...changes, version: user.version } });
    expect(moved.response.status).toBe(200);
  }

  it('refuses the download with 409 EXPORT_REQUESTER_CHANGED once the requester moved to another department, streaming nothing', async () => {
    const requester = await t.userClient('sales', { departmentId: w.east });
    const stays = await t.userClient('sales', { departmentId: w.east });
    const tag = unique();
    await createCustomer(requester, { name: `调动导出${tag}有限公司` });
    await createCustomer(stays, { name: `留任导出${tag}有限公司` });
    const moving = await requestExport(requester, { q: `调动导出${tag}` });
    const staying = await requestExport(stays, { q: `留任导出${tag}` });
    await approve(w.managerEast, moving.data!.approvalId);
    await approve(w.managerEast, staying.data!.approvalId);
    expect((await getExport(requester, moving.data!.id)).data!.rowCount).toBe(1);

    await moveUser(requester, { departmentId: w.west });
    const refused = await download(requester, moving.data!.id);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await refused.json()).toMatchObject({ code: 'EXPORT_REQUESTER_CHANGED' });
    const downloads = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'export.download' AND entity_id = $1`, [moving.data!.id]);
    expect(downloads.rows[0].n).toBe(0);
    expect((await getExport(requester, moving.data!.id)).data!.downloadCount).toBe(0);

    // Someone who did not move downloads as before.
    const { records } = await csvOf(await download(stays, staying.data!.id));
    expect(records).toHaveLength(1);
  });

  it('fails the approval when the requester changed role or department before it was approved', async () => {
    for (const change of [{ role: 'service' as const }, { departmentId: '' }]) {
      const requester = await t.userClient('sales', { departmentId: w.east });
      await createCustomer(requester, { name: `审批前调动${unique()}有限公司` });
      const requested = await requestExport(requester, {});
      await moveUser(requester, change.role ? change : { departmentId: w.west });
      const decided = await approve(w.managerEast, requested.data!.approvalId);
      expect(decided.response.status).toBe(200);
      expect(decided.data).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(change.role ? /role changed from sales to service/ : /department changed/) });
      expect((await getExport(requester, requested.data!.id)).data).toMatchObject({ status: 'failed', rowCount: null });
      expect((await customerIds(requester, requested.data!.id)).data!.items).toEqual([]);
      const failure = await t.db.query(`SELECT after FROM audit_log WHERE action = 'approval.fail' AND entity_id = $1`, [requested.data!.approvalId]);
      expect(failure.rows[0].after).toMatchObject({ code: 'EXPORT_REQUESTER_CHANGED' });
    }
  });
});
