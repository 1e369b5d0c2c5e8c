import { RequestsService } from '../src/modules/requests/requests.service';
import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, World } from './support/world';

/**
 * Issue 15: customer requests with response clocks. Clocks in working time across a weekend, a
 * holiday and a make-up day; each transition allowed and refused; breaches flagged once by
 * concurrent sweeps; idempotent posting; who sees which request; metrics on a known data set.
 */

let t: TestApp;
let w: World;
let eastCustomer: Customer; // owned by salesEast1, department East
let coreCustomer: Customer; // owned by salesEast1, tier core (30 minutes)
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  eastCustomer = await createCustomer(w.salesEast1);
  coreCustomer = await createCustomer(w.salesEast1);
  const tiers = (await w.admin.api.GET('/api/v1/tiers')).data!;
  const core = tiers.find((x) => x.code === 'core')!;
  expect(core.responseTargetMinutes).toBe(30);
  const set = await w.admin.api.PUT('/api/v1/customers/{id}/tier', { params: { path: { id: coreCustomer.id } }, body: { tierId: core.id, reason: '年采购额增长' } });
  expect(set.response.status).toBe(200);
  // A Monday holiday after the first week, a make-up Saturday in the second (as in complaints.e2e-spec.ts).
  await w.admin.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: plusDays(monday, 7) } }, body: { kind: 'holiday', name: '假日' } });
  await w.admin.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: plusDays(monday, 12) } }, body: { kind: 'workday', name: '调休' } });
});
afterAll(() => t.close());

// Requests may be recorded at most 90 days back: clocks are tested on weeks a month ago.
const DAY = 86_400_000;
const shanghaiDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const plusDays = (date: string, k: number) => new Date(Date.parse(`${date}T00:00:00Z`) + k * DAY).toISOString().slice(0, 10);
const monday = (() => {
  const d = shanghaiDate(Date.now() - 28 * DAY);
  return plusDays(d, -((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7));
})();
const at = (k: number, clock: string) => `${plusDays(monday, k)}T${clock}:00+08:00`;
const utc = (k: number, clock: string) => new Date(at(k, clock)).toISOString();

type Api = TestApp['anonymous'];
type Body = Record<string, unknown>;
const body = (overrides: Body = {}) =>
  ({ kind: 'need', channel: 'wecom', receivedAt: new Date().toISOString(), subject: '询问二期报价', content: '客户希望本周内拿到二期项目报价', ...overrides }) as never;
const record = (actor: { api: Api }, customerId: string, overrides: Body = {}, key?: string) =>
  actor.api.POST('/api/v1/customers/{id}/requests', { params: { path: { id: customerId }, ...(key ? { header: { 'Idempotency-Key': key } } : {}) } as never, body: body(overrides) });
const request = async (actor: { api: Api }, customerId: string, overrides: Body = {}) => {
  const r = await record(actor, customerId, overrides);
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data;
};
const get = (actor: { api: Api }, id: string) => actor.api.GET('/api/v1/requests/{id}', { params: { path: { id } } });
type Step = 'acknowledge' | 'start' | 'progress' | 'answer' | 'close' | 'reopen' | 'assign';
const step = (actor: { api: Api }, id: string, action: Step, b?: Body) =>
  actor.api.POST(`/api/v1/requests/{id}/${action}` as '/api/v1/requests/{id}/start', { params: { path: { id } }, body: b as never });
const VALID: Record<Step, Body | undefined> = {
  acknowledge: { channel: 'phone', text: '已收到，正在处理' },
  start: undefined,
  progress: { text: '已派工程师到现场' },
  answer: { answer: '已更换传感器' },
  close: { satisfaction: 5 },
  reopen: { reason: '客户反馈问题复现' },
  assign: { departmentId: '' },
};
const countFor = async (customerId: string) => (await t.db.query(`SELECT count(*)::int AS n FROM requests WHERE customer_id = $1`, [customerId])).rows[0].n as number;
const sweep = () => t.app.get(RequestsService).sweep();

describe('tiers', () => {
  it('carry the handbooks\' response targets: strategic and core 30 minutes, ordinary and dormant one working day', async () => {
    const tiers = (await w.admin.api.GET('/api/v1/tiers')).data!;
    expect(Object.fromEntries(tiers.map((x) => [x.code, x.responseTargetMinutes]))).toEqual({ strategic: 30, core: 30, ordinary: 540, dormant: 540 });
  });
});

describe('the first-response clock, in working time', () => {
  it.each([
    ['a core customer\'s problem, Friday 17:50 before a holiday Monday: 10 minutes Friday, 20 on Tuesday', () => coreCustomer, 'problem', () => at(4, '17:50'), () => utc(8, '09:20')],
    ['a core customer\'s problem, Friday 17:50 before a make-up Saturday: due on the Saturday', () => coreCustomer, 'problem', () => at(11, '17:50'), () => utc(12, '09:20')],
    ['a core customer\'s problem on a Sunday: 30 minutes from Monday 09:00', () => coreCustomer, 'problem', () => at(13, '11:00'), () => utc(14, '09:30')],
    ['an ordinary customer\'s problem: one working day', () => eastCustomer, 'problem', () => at(1, '10:00'), () => utc(2, '10:00')],
    ['an enquiry of a core customer: one working day, over the weekend and the holiday', () => coreCustomer, 'enquiry', () => at(4, '10:00'), () => utc(8, '10:00')],
    ['a suggestion on a make-up Saturday\'s eve: the Saturday counts', () => eastCustomer, 'suggestion', () => at(11, '15:00'), () => utc(12, '15:00')],
  ])('%s', async (_, customer, kind, receivedAt, due) => {
    const r = await request(w.service, customer().id, { kind, receivedAt: receivedAt() });
    expect(r.firstResponseDueAt).toBe(due());
    expect(r.clocks[0]).toMatchObject({ clock: 'first_response', dueAt: due(), state: 'missed', breachFlagged: false });
  });

  it('keeps the answer time told to the customer as a clock of its own, and a complex problem\'s progress clock', async () => {
    const r = await request(w.service, coreCustomer.id, { kind: 'problem', complex: true });
    expect(r.clocks.map((c) => [c.clock, c.state])).toEqual([['first_response', 'pending'], ['progress', 'pending']]);
    expect(Date.parse(r.progressDueAt!) - Date.parse(r.receivedAt)).toBe(24 * 3_600_000);
    const expected = new Date(Date.now() + 3 * DAY).toISOString();
    const ack = (await step(w.service, r.id, 'acknowledge', { channel: 'wecom', text: '已收到，三天内答复', expectedAnswerAt: expected })).data!;
    expect(ack.clocks.map((c) => [c.clock, c.state])).toEqual([['first_response', 'met'], ['expected_answer', 'pending'], ['progress', 'pending']]);
    expect(ack.clocks[1].dueAt).toBe(expected);
    const past = await step(w.service, (await request(w.service, eastCustomer.id)).id, 'acknowledge', { channel: 'phone', text: 'x', expectedAnswerAt: new Date(Date.now() - 60_000).toISOString() });
    expect(past.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'expectedAnswerAt' }] });
  });
});

describe('the flow', () => {
  it('walks new → acknowledged → in_progress → answered → closed with a satisfaction call, every step in the timeline and the audit log', async () => {
    const r = await request(w.service, coreCustomer.id, { kind: 'problem', complex: true });
    expect(r).toMatchObject({ status: 'new', assigneeId: null, departmentId: null }); // problems: the service queue
    expect((await step(w.service, r.id, 'acknowledge', { channel: 'phone', text: '工程师 30 分钟内联系您' })).data!.status).toBe('acknowledged');
    const progressed = (await step(w.service, r.id, 'progress', { text: '已派工程师到现场' })).data!;
    expect(progressed).toMatchObject({ status: 'in_progress', lastProgressAt: expect.any(String) });
    expect(Date.parse(progressed.progressDueAt!) - Date.parse(progressed.lastProgressAt!)).toBe(24 * 3_600_000);
    const answered = (await step(w.service, r.id, 'answer', { answer: '已更换传感器，设备恢复' })).data!;
    expect(answered).toMatchObject({ status: 'answered', progressDueAt: null });
    expect(Date.parse(answered.satisfactionDueAt!) - Date.parse(answered.answeredAt!)).toBe(48 * 3_600_000);
    const noScore = await step(w.service, r.id, 'close', {});
    expect(noScore.response.status).toBe(400);
    expect(noScore.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'satisfaction' }] });
    const closed = (await step(w.service, r.id, 'close', { satisfaction: 4, comment: '满意' })).data!;
    expect(closed).toMatchObject({ status: 'closed', satisfaction: 4, nextDueAt: null });
    expect(closed.clocks.map((c) => [c.clock, c.state])).toEqual([['first_response', 'met'], ['progress', 'met'], ['satisfaction', 'met']]);
    expect(closed.timeline.map((e) => [e.event, e.fromStatus, e.toStatus])).toEqual([
      ['received', null, 'new'],
      ['assigned', 'new', 'new'],
      ['acknowledged', 'new', 'acknowledged'],
      ['progress', 'acknowledged', 'in_progress'],
      ['answered', 'in_progress', 'answered'],
      ['closed', 'answered', 'closed'],
    ]);
    const audit = await t.db.query(`SELECT action FROM audit_log WHERE entity_type = 'request' AND entity_id = $1 ORDER BY id`, [r.id]);
    expect(audit.rows.map((x) => x.action)).toEqual(['request.create', 'request.acknowledge', 'request.progress', 'request.answer', 'request.close']);
    const reopened = (await step(w.service, r.id, 'reopen', { reason: '客户反馈问题复现' })).data!;
    expect(reopened).toMatchObject({ status: 'in_progress', closedAt: null, satisfaction: null });
  });

  it('closes an enquiry without a satisfaction call, and starts work explicitly', async () => {
    const r = await request(w.salesEast1, eastCustomer.id, { kind: 'enquiry' });
    expect(r.assigneeId).toBe(w.salesEast1.id); // enquiries and needs: the owner
    await step(w.salesEast1, r.id, 'acknowledge', VALID.acknowledge);
    expect((await step(w.salesEast1, r.id, 'start')).data!.status).toBe('in_progress');
    await step(w.salesEast1, r.id, 'answer', VALID.answer);
    expect((await step(w.salesEast1, r.id, 'close', {})).data!.status).toBe('closed');
  });

  const refused: [string, Step[], Step[]][] = [
    ['new', [], ['start', 'progress', 'answer', 'close', 'reopen']],
    ['acknowledged', ['acknowledge'], ['acknowledge', 'close', 'reopen']],
    ['in_progress', ['acknowledge', 'start'], ['acknowledge', 'start', 'close', 'reopen']],
    ['answered', ['acknowledge', 'start', 'answer'], ['acknowledge', 'start', 'progress', 'answer']],
    ['closed', ['acknowledge', 'start', 'answer', 'close'], ['acknowledge', 'start', 'progress', 'answer', 'close', 'assign']],
  ];
  it.each(refused)('refuses on a %s request what the flow does not allow: 409 INVALID_TRANSITION, nothing changed', async (status, path, refusals) => {
    const r = await request(w.service, eastCustomer.id, { kind: 'problem' });
    for (const s of path) expect((await step(w.service, r.id, s, VALID[s])).response.status).toBe(200);
    const before = (await get(w.service, r.id)).data!;
    expect(before.status).toBe(status);
    for (const s of refusals) {
      const attempt = await step(w.service, r.id, s, s === 'assign' ? { departmentId: w.east } : VALID[s]);
      expect([s, attempt.response.status, (attempt.error as { code?: string } | undefined)?.code]).toEqual([s, 409, 'INVALID_TRANSITION']);
    }
    const after = (await get(w.service, r.id)).data!;
    expect([after.status, after.version, after.timeline.length]).toEqual([before.status, before.version, before.timeline.length]);
  });

  it('reassigns to a queue and to a person, keeping each dispatch in the history; refuses both or neither', async () => {
    const r = await request(w.service, eastCustomer.id, { kind: 'need' });
    expect((await step(w.service, r.id, 'assign', { departmentId: w.west, reason: '转西区处理' })).data).toMatchObject({ assigneeId: null, departmentId: w.west });
    const toPerson = (await step(w.service, r.id, 'assign', { assigneeId: w.salesWest.id })).data!;
    expect(toPerson).toMatchObject({ assigneeId: w.salesWest.id, departmentId: null });
    expect(toPerson.timeline.filter((e) => e.event === 'assigned').map((e) => (e.detail as { to: unknown }).to)).toEqual([
      { assigneeId: w.salesEast1.id, departmentId: null },
      { assigneeId: null, departmentId: w.west },
      { assigneeId: w.salesWest.id, departmentId: null },
    ]);
    const both = await step(w.service, r.id, 'assign', { assigneeId: w.salesWest.id, departmentId: w.west });
    expect(both.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    const marketing = await step(w.service, r.id, 'assign', { assigneeId: w.marketing.id });
    expect(marketing.error).toMatchObject({ code: 'UNPROCESSABLE', errors: [{ field: 'assigneeId' }] });
  });

  it('refuses a receipt time in the future or over 90 days back, and a contact of another customer', async () => {
    const before = await countFor(eastCustomer.id);
    for (const receivedAt of [new Date(Date.now() + 10 * 60_000).toISOString(), new Date(Date.now() - 91 * DAY).toISOString()]) {
      const r = await record(w.service, eastCustomer.id, { receivedAt });
      expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'receivedAt' }] });
    }
    const other = await createCustomer(w.salesEast1);
    const r = await record(w.service, eastCustomer.id, { contactId: other.contacts[0].id });
    expect(r.error).toMatchObject({ code: 'UNPROCESSABLE', errors: [{ field: 'contactId' }] });
    expect(await countFor(eastCustomer.id)).toBe(before);
  });
});

describe('the sweep', () => {
  it('flags each clock\'s breach once with two sweeps at once, audits it, and escalates a problem to the assignee\'s manager', async () => {
    const late = await request(w.service, coreCustomer.id, { kind: 'problem', receivedAt: at(1, '10:00'), assigneeId: w.salesWest.id });
    const lateEnquiry = await request(w.service, coreCustomer.id, { kind: 'enquiry', receivedAt: at(1, '10:00') });
    expect((await get(w.managerWest, late.id)).response.status).toBe(404);

    const other = await t.anotherInstance();
    const [a, b] = await Promise.all([sweep(), other.get(RequestsService).sweep()]);
    const flagged = [...a.firstResponse, ...b.firstResponse];
    expect(flagged.filter((id) => id === late.id)).toHaveLength(1);
    expect(flagged.filter((id) => id === lateEnquiry.id)).toHaveLength(1);
    expect((await sweep()).firstResponse).not.toContain(late.id);

    const audit = await t.db.query(`SELECT entity_id, after, reason FROM audit_log WHERE action = 'request.breach' AND entity_id = ANY($1)`, [[late.id, lateEnquiry.id]]);
    expect(audit.rows).toHaveLength(2);
    expect(audit.rows.find((x) => x.entity_id === late.id).after).toMatchObject({ breachedClock: 'first_response', escalatedTo: w.managerWest.id });
    expect(audit.rows.find((x) => x.entity_id === lateEnquiry.id).after).toMatchObject({ escalatedTo: null });

    const seen = await get(w.managerWest, late.id);
    expect(seen.response.status).toBe(200);
    expect(seen.data!.escalatedToIds).toEqual([w.managerWest.id]);
    expect(seen.data!.clocks[0]).toMatchObject({ clock: 'first_response', state: 'missed', breachFlagged: true });
    expect(seen.data!.timeline.at(-1)).toMatchObject({ event: 'breached', actorId: null, detail: { clock: 'first_response', escalatedTo: w.managerWest.id } });
  });

  it('flags the answer time told to the customer, a late progress report and a late satisfaction call, each once', async () => {
    const complex = await request(w.service, coreCustomer.id, { kind: 'problem', complex: true, receivedAt: new Date(Date.now() - 2 * DAY).toISOString() });
    await step(w.service, complex.id, 'acknowledge', { ...VALID.acknowledge, expectedAnswerAt: new Date(Date.now() + DAY).toISOString() });
    await t.db.query(`UPDATE requests SET expected_answer_at = now() - interval '1 minute' WHERE id = $1`, [complex.id]);
    const first = await sweep();
    expect(first.expectedAnswer).toContain(complex.id);
    expect(first.progress).toContain(complex.id);
    const second = await sweep();
    expect([...second.expectedAnswer, ...second.progress]).not.toContain(complex.id);

    // A report starts a new 24-hour period; the clock stays missed, since one report came late.
    const reported = (await step(w.service, complex.id, 'progress', VALID.progress)).data!;
    expect(reported.clocks.find((c) => c.clock === 'progress')).toMatchObject({ state: 'missed', breachFlagged: true });
    await step(w.service, complex.id, 'answer', VALID.answer);
    await t.db.query(`UPDATE requests SET satisfaction_due_at = now() - interval '1 minute' WHERE id = $1`, [complex.id]);
    expect((await sweep()).satisfaction).toEqual([complex.id]);
    expect((await sweep()).satisfaction).toEqual([]);
    const audit = await t.db.query(`SELECT after->>'breachedClock' AS clock FROM audit_log WHERE action = 'request.breach' AND entity_id = $1 ORDER BY id`, [complex.id]);
    expect(audit.rows.map((x) => x.clock).sort()).toEqual(['expected_answer', 'progress', 'satisfaction']);
  });

  it('runs from the route for admins only', async () => {
    expect((await w.admin.api.POST('/api/v1/requests/sweep')).response.status).toBe(200);
    expect((await w.service.api.POST('/api/v1/requests/sweep')).response.status).toBe(403);
  });
});

describe('idempotent posting', () => {
  const idempotentPost = (actor: Actor, key: string, overrides: Body = {}) =>
    actor.api.POST('/api/v1/requests', { params: { header: { 'Idempotency-Key': key } }, body: { customerId: eastCustomer.id, ...(body(overrides) as object) } as never });

  it('creates one request for a retried post, and answers the retry with the stored answer', async () => {
    const before = await countFor(eastCustomer.id);
    const key = `retry-${Date.now()}`;
    const fixed = { receivedAt: new Date().toISOString() };
    const first = await idempotentPost(w.service, key, fixed);
    const again = await idempotentPost(w.service, key, fixed);
    expect([first.response.status, again.response.status]).toEqual([201, 201]);
    expect(again.data).toEqual(first.data);
    expect(first.response.headers.get('idempotent-replayed')).toBeNull();
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(await countFor(eastCustomer.id)).toBe(before + 1);
    // The same on the customer's route, which is a different request for the same key.
    const onCustomer = await record(w.service, eastCustomer.id, fixed, key);
    expect(onCustomer.response.status).toBe(422);
  });

  it('refuses the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing created', async () => {
    const key = `reuse-${Date.now()}`;
    expect((await idempotentPost(w.service, key, { subject: '第一次' })).response.status).toBe(201);
    const before = await countFor(eastCustomer.id);
    const other = await idempotentPost(w.service, key, { subject: '另一个请求' });
    expect(other.response.status).toBe(422);
    expect(other.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await countFor(eastCustomer.id)).toBe(before);
  });

  it('answers 409 IDEMPOTENCY_IN_PROGRESS while the first request with the key still runs, and creates once under concurrent retries', async () => {
    const key = `running-${Date.now()}`;
    const holder = await t.db.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(18001, hashtext($1))`, [`${w.service.id}\n${key}`]);
      const during = await idempotentPost(w.service, key);
      expect(during.response.status).toBe(409);
      expect(during.error).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
      expect(during.response.headers.get('retry-after')).toBe('1');
    } finally {
      await holder.query(`SELECT pg_advisory_unlock_all()`);
      holder.release();
    }
    expect((await idempotentPost(w.service, key)).response.status).toBe(201);

    const burstKey = `burst-${Date.now()}`;
    const before = await countFor(eastCustomer.id);
    const fixed = { receivedAt: new Date().toISOString() };
    const answers = await Promise.all(Array.from({ length: 6 }, () => idempotentPost(w.service, burstKey, fixed)));
    expect(answers.every((a) => a.response.status === 201 || a.response.status === 409)).toBe(true);
    expect(new Set(answers.filter((a) => a.data).map((a) => a.data!.id)).size).toBe(1);
    expect(await countFor(eastCustomer.id)).toBe(before + 1);
  });

  it('keeps keys per caller, stores nothing for a failed request, and refuses a key over 255 characters', async () => {
    const key = `shared-${Date.now()}`;
    const fixed = { receivedAt: new Date().toISOString() };
    const mine = await idempotentPost(w.service, key, fixed);
    const theirs = await idempotentPost(w.salesEast1, key, fixed);
    expect(theirs.response.status).toBe(201);
    expect(theirs.data!.id).not.toBe(mine.data!.id);

    const failing = `failing-${Date.now()}`;
    expect((await idempotentPost(w.service, failing, { kind: 'rumour' })).response.status).toBe(400);
    expect((await idempotentPost(w.service, failing)).response.status).toBe(201);

    const long = await idempotentPost(w.service, 'k'.repeat(256));
    expect(long.response.status).toBe(400);
    expect(long.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'Idempotency-Key' }] });
    expect((await idempotentPost(w.service, 'k'.repeat(255))).response.status).toBe(201);
  });
});

describe('who sees which request', () => {
  it('is whoever sees the customer, the assignee, the department of the queue; 404 for everyone else, 403 for marketing\'s route', async () => {
    const own = await request(w.service, eastCustomer.id, { kind: 'need' }); // to salesEast1, the owner
    const toWest = await request(w.service, eastCustomer.id, { kind: 'need', assigneeId: w.salesWest.id });
    const westQueue = await request(w.service, eastCustomer.id, { kind: 'need', departmentId: w.west });
    const expectations: [Actor, number, number, number][] = [
      [w.admin, 200, 200, 200],
      [w.managerEast, 200, 200, 200],
      [w.managerWest, 404, 404, 200],
      [w.salesEast1, 200, 200, 200],
      [w.salesEast2, 404, 404, 404],
      [w.salesWest, 404, 200, 200],
      [w.service, 200, 200, 200],
      [w.auditor, 200, 200, 200],
      [w.marketing, 403, 403, 403],
    ];
    for (const [actor, a, b, c] of expectations) {
      const got = [(await get(actor, own.id)).response.status, (await get(actor, toWest.id)).response.status, (await get(actor, westQueue.id)).response.status];
      expect([actor.username, ...got]).toEqual([actor.username, a, b, c]);
      if (actor === w.marketing) continue;
      const listed = new Set((await actor.api.GET('/api/v1/requests', { params: { query: { customerId: eastCustomer.id, limit: 100 } } })).data!.items.map((x) => x.id));
      expect([actor.username, listed.has(own.id), listed.has(toWest.id), listed.has(westQueue.id)]).toEqual([actor.username, a === 200, b === 200, c === 200]);
    }
    const mine = (await w.salesWest.api.GET('/api/v1/requests', { params: { query: { queue: 'mine', limit: 100 } } })).data!.items.map((x) => x.id);
    expect(mine).toContain(toWest.id);
    expect(mine).not.toContain(westQueue.id);
    const queue = (await w.managerWest.api.GET('/api/v1/requests', { params: { query: { queue: 'department', limit: 100 } } })).data!.items.map((x) => x.id);
    expect(queue).toEqual([westQueue.id]);
    // Writes follow the same rule: invisible is 404, the auditor's role is 403.
    expect((await step(w.salesEast2, own.id, 'acknowledge', VALID.acknowledge)).response.status).toBe(404);
    expect((await step(w.auditor, own.id, 'acknowledge', VALID.acknowledge)).response.status).toBe(403);
    expect((await record(w.salesWest, eastCustomer.id)).response.status).toBe(404);
    expect((await record(w.auditor, eastCustomer.id)).response.status).toBe(403);
  });

  it('lists the most urgent first, keyset-paginated', async () => {
    const department = await t.department('Urgency');
    const seller = await t.userClient('sales', { departmentId: department });
    const customer = await createCustomer(seller);
    const later = await request(seller, customer.id, { kind: 'need', receivedAt: new Date(Date.now() - 60_000).toISOString() });
    const earlier = await request(seller, customer.id, { kind: 'need', receivedAt: at(1, '10:00') });
    const soonest = await request(seller, customer.id, { kind: 'need', receivedAt: at(2, '10:00') });
    const page1 = (await seller.api.GET('/api/v1/requests', { params: { query: { limit: 2 } } })).data!;
    const page2 = (await seller.api.GET('/api/v1/requests', { params: { query: { limit: 2, cursor: page1.nextCursor! } } })).data!;
    expect([...page1.items, ...page2.items].map((x) => x.id)).toEqual([earlier.id, soonest.id, later.id]);
    expect((await seller.api.GET('/api/v1/requests', { params: { query: { overdue: true } } })).data!.items.map((x) => x.id)).toEqual([earlier.id, soonest.id]);
    const forged = await seller.api.GET('/api/v1/requests', { params: { query: { cursor: 'forged' } } });
    expect(forged.error).toMatchObject({ code: 'INVALID_CURSOR' });
  });
});

describe('metrics', () => {
  it('counts, percentiles in working minutes, share met per clock, breaches and satisfaction on a known data set', async () => {
    const department = await t.department('Metrics');
    const seller = await t.userClient('sales', { departmentId: department });
    const customer = await createCustomer(seller);
    const made = [];
    for (const [kind, channel] of [['problem', 'wecom'], ['problem', 'phone'], ['enquiry', 'wecom'], ['need', 'web_chat']] as const) {
      made.push(await request(seller, customer.id, { kind, channel, assigneeId: seller.id }));
    }
    // Known first responses: 10, 20, 30 and 100 working minutes; the last one after its due time.
    const minutes = [10, 20, 30, 100];
    for (const [i, r] of made.entries()) {
      await t.db.query(
        `UPDATE requests SET status = 'answered', acknowledged_at = first_response_due_at + make_interval(mins => $2), first_response_working_minutes = $3, answered_at = now(),
                satisfaction_due_at = CASE WHEN kind = 'problem' THEN now() + interval '48 hours' END WHERE id = $1`,
        [r.id, i === 3 ? 5 : -5, minutes[i]],
      );
    }
    await t.db.query(`UPDATE requests SET status = 'closed', closed_at = now(), satisfaction = 4 WHERE id = $1`, [made[0].id]);
    await t.db.query(`UPDATE requests SET status = 'closed', closed_at = now(), satisfaction = 5 WHERE id = $1`, [made[1].id]);
    await t.db.query(`UPDATE requests SET first_response_breached = true WHERE id = $1`, [made[3].id]);

    const m = await w.admin.api.GET('/api/v1/requests/metrics', { params: { query: { departmentId: department } } });
    expect(m.data).toEqual({
      total: 4,
      byKind: { problem: 2, enquiry: 1, need: 1 },
      byChannel: { wecom: 2, phone: 1, web_chat: 1 },
      firstResponseP50: 25,
      firstResponseP90: 79,
      clocks: {
        firstResponse: { settled: 4, met: 3, share: 0.75, breaches: 1 },
        expectedAnswer: { settled: 0, met: 0, share: null, breaches: 0 },
        progress: { settled: 0, met: 0, share: null, breaches: 0 },
        satisfaction: { settled: 2, met: 2, share: 1, breaches: 0 },
      },
      meanSatisfaction: 4.5,
    });
    expect((await w.admin.api.GET('/api/v1/requests/metrics', { params: { query: { assigneeId: seller.id } } })).data!.total).toBe(4);
    expect((await seller.api.GET('/api/v1/requests/metrics')).response.status).toBe(403);
    // A manager of another department sees none of it.
    expect((await w.managerWest.api.GET('/api/v1/requests/metrics', { params: { query: { departmentId: department } } })).data!.total).toBe(0);
  });
});

describe('dispatch rules', () => {
  it('are data: problems go to a department queue once an admin says so, audited; admin only', async () => {
    const support = await t.department('Support');
    const rules = (await w.admin.api.GET('/api/v1/requests/dispatch-rules')).data!.rules;
    expect(rules).toEqual(expect.arrayContaining([{ kind: 'problem', target: 'service_queue', departmentId: null }, { kind: 'need', target: 'owner', departmentId: null }]));
    const changed = rules.map((r) => (r.kind === 'problem' ? { kind: r.kind, target: 'department' as const, departmentId: support } : r));
    expect((await w.service.api.PUT('/api/v1/requests/dispatch-rules', { body: { rules: changed } })).response.status).toBe(403);
    const noDepartment = await w.admin.api.PUT('/api/v1/requests/dispatch-rules', { body: { rules: rules.map((r) => (r.kind === 'problem' ? { ...r, target: 'department' as const } : r)) } });
    expect(noDepartment.response.status).toBe(400);
    expect((await w.admin.api.PUT('/api/v1/requests/dispatch-rules', { body: { rules: changed } })).response.status).toBe(200);
    expect((await request(w.service, eastCustomer.id, { kind: 'problem' })).departmentId).toBe(support);
    const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request_dispatch.update'`);
    expect(audit.rows[0].n).toBe(1);
    await w.admin.api.PUT('/api/v1/requests/dispatch-rules', { body: { rules } });
  });
});

describe('escalation to a complaint', () => {
  const escalation = (overrides: Body = {}) => ({ category: 'service_quality', severity: 'general', customerMood: 'angry', reason: '客户明确表示要投诉', ...overrides }) as never;
  const escalate = (actor: { api: Api }, id: string, overrides: Body = {}, key?: string) =>
    actor.api.POST('/api/v1/requests/{id}/escalate-to-complaint', { params: { path: { id }, ...(key ? { header: { 'Idempotency-Key': key } } : {}) } as never, body: escalation(overrides) });
  const complaintsOf = async (customerId: string) => (await t.db.query(`SELECT count(*)::int AS n FROM complaints WHERE customer_id = $1`, [customerId])).rows[0].n as number;

  it('files a complaint through the complaints\' rules, linked both ways, audited on both sides; the request keeps its flow', async () => {
    const r = await request(w.service, eastCustomer.id, { kind: 'problem', channel: 'web_chat', subject: '设备三次报修未解决' });
    await step(w.service, r.id, 'acknowledge', VALID.acknowledge);
    const made = await escalate(w.service, r.id, { severity: 'serious' });
    expect(made.response.status).toBe(201);
    const complaint = made.data!;
    // The complaint's own rules: a serious complaint is led by the department manager, due in working days; online for web chat.
    expect(complaint).toMatchObject({ requestId: r.id, customerId: eastCustomer.id, severity: 'serious', channel: 'online', title: '设备三次报修未解决', assigneeId: w.managerEast.id, status: 'assigned' });
    expect(Date.parse(complaint.dueAt)).toBeGreaterThan(Date.now());
    const after = (await get(w.service, r.id)).data!;
    expect(after).toMatchObject({ complaintId: complaint.id, status: 'acknowledged' });
    expect(after.timeline.at(-1)).toMatchObject({ event: 'escalated_to_complaint', actorId: w.service.id, detail: { complaintId: complaint.id, reason: '客户明确表示要投诉' } });
    const shown = (await w.service.api.GET('/api/v1/complaints/{id}', { params: { path: { id: complaint.id } } })).data!;
    expect(shown.requestId).toBe(r.id);
    expect(shown.timeline[0]).toMatchObject({ event: 'received', detail: { requestId: r.id } });
    const audit = await t.db.query(
      `SELECT action, entity_id, after->>'complaintId' AS "complaintId", after->>'requestId' AS "requestId" FROM audit_log WHERE entity_id = ANY($1) AND action IN ('complaint.create', 'request.escalate_to_complaint') ORDER BY id`,
      [[r.id, complaint.id]],
    );
    expect(audit.rows).toEqual([
      { action: 'complaint.create', entity_id: complaint.id, complaintId: null, requestId: r.id },
      { action: 'request.escalate_to_complaint', entity_id: r.id, complaintId: complaint.id, requestId: null },
    ]);
    // The request goes on: it is still answered and closed as before.
    await step(w.service, r.id, 'start');
    expect((await step(w.service, r.id, 'answer', VALID.answer)).data!.complaintId).toBe(complaint.id);
  });

  it('refuses a second escalation (409 REQUEST_ALREADY_ESCALATED naming the complaint) and a closed request (409 INVALID_TRANSITION), creating nothing', async () => {
    const r = await request(w.service, eastCustomer.id, { kind: 'need' });
    const first = (await escalate(w.service, r.id)).data!;
    const before = await complaintsOf(eastCustomer.id);
    const again = await escalate(w.managerEast, r.id);
    expect(again.response.status).toBe(409);
    expect(again.error).toMatchObject({ code: 'REQUEST_ALREADY_ESCALATED', complaintId: first.id });

    const closed = await request(w.salesEast1, eastCustomer.id, { kind: 'enquiry' });
    for (const s of ['acknowledge', 'answer', 'close'] as const) expect((await step(w.salesEast1, closed.id, s, s === 'close' ? {} : VALID[s])).response.status).toBe(200);
    const refused = await escalate(w.salesEast1, closed.id);
    expect(refused.response.status).toBe(409);
    expect(refused.error).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await complaintsOf(eastCustomer.id)).toBe(before);
    expect((await get(w.salesEast1, closed.id)).data!.complaintId).toBeNull();
    // Reopened, it can be escalated.
    await step(w.salesEast1, closed.id, 'reopen', VALID.reopen);
    expect((await escalate(w.salesEast1, closed.id)).response.status).toBe(201);
  });

  it('is for whoever sees the request and may file a complaint on its customer; a refused complaint leaves the request unlinked', async () => {
    const r = await request(w.service, eastCustomer.id, { kind: 'problem', assigneeId: w.salesWest.id });
    const before = await complaintsOf(eastCustomer.id);
    expect((await escalate(w.salesEast2, r.id)).response.status).toBe(404); // does not see it
    expect((await escalate(w.auditor, r.id)).response.status).toBe(403); // read-only
    const assignedOnly = await escalate(w.salesWest, r.id); // sees the request (assigned), not the customer
    expect(assignedOnly.response.status).toBe(403);
    expect(assignedOnly.error).toMatchObject({ code: 'FORBIDDEN' });
    // The complaint's own rules refuse a marketing assignee: nothing of the escalation stays.
    const badAssignee = await escalate(w.service, r.id, { assigneeId: w.marketing.id });
    expect(badAssignee.error).toMatchObject({ code: 'UNPROCESSABLE', errors: [{ field: 'assigneeId' }] });
    expect(await complaintsOf(eastCustomer.id)).toBe(before);
    const unchanged = (await get(w.service, r.id)).data!;
    expect([unchanged.complaintId, unchanged.timeline.some((e) => e.event === 'escalated_to_complaint')]).toEqual([null, false]);
    expect((await escalate(w.managerEast, r.id)).response.status).toBe(201);
  });

  it('is idempotent under an Idempotency-Key: a retry answers the same complaint and files no second one', async () => {
    const r = await request(w.service, eastCustomer.id, { kind: 'problem' });
    const key = `escalate-${Date.now()}`;
    const first = await escalate(w.service, r.id, {}, key);
    const retry = await escalate(w.service, r.id, {}, key);
    expect([first.response.status, retry.response.status]).toEqual([201, 201]);
    expect(retry.data).toEqual(first.data);
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true');
    expect((await t.db.query(`SELECT count(*)::int AS n FROM complaints WHERE request_id = $1`, [r.id])).rows[0].n).toBe(1);
  });
});

describe('common issues reported upward', () => {
  const flag = (actor: { api: Api }, id: string, b: Body) => actor.api.POST('/api/v1/requests/{id}/report-upward', { params: { path: { id } }, body: b as never });
  const flagComplaint = (actor: { api: Api }, id: string, b: Body) => actor.api.POST('/api/v1/complaints/{id}/report-upward', { params: { path: { id } }, body: b as never });
  const complaintBody = (customerId: string, overrides: Body = {}) =>
    ({ customerId, channel: 'phone', category: 'delivery', severity: 'general', title: '货物延迟', description: '第二批货物延迟三天', customerMood: 'upset', receivedAt: new Date().toISOString(), ...overrides }) as never;

  it('may be flagged by an admin, a manager or the assignee, not by service or sales staff who merely see it, nor auditors; audited, with a topic of at most 50 characters', async () => {
    const r = await request(w.service, eastCustomer.id, { kind: 'need' }); // assigned to salesEast1, the owner
    const topic = { reportUpward: true, topic: '交货延迟' };
    expect((await flag(w.service, r.id, topic)).response.status).toBe(403);
    expect((await flag(w.auditor, r.id, topic)).response.status).toBe(403);
    expect((await flag(w.salesEast2, r.id, topic)).response.status).toBe(404);
    expect((await flag(w.salesEast1, r.id, { reportUpward: true })).error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'topic' }] });
    expect((await flag(w.salesEast1, r.id, { reportUpward: true, topic: '长'.repeat(51) })).response.status).toBe(400);
    expect((await flag(w.salesEast1, r.id, { reportUpward: false, topic: '交货延迟' })).response.status).toBe(400);
    expect((await get(w.admin, r.id)).data).toMatchObject({ reportUpward: false, topic: null });
    const flagged = await flag(w.salesEast1, r.id, { reportUpward: true, topic: ' 交货   延迟 ' });
    expect(flagged.data).toMatchObject({ reportUpward: true, topic: '交货 延迟' });
    expect((await flag(w.managerEast, r.id, { reportUpward: true, topic: '交货延迟' })).data!.topic).toBe('交货延迟');
    expect((await flag(w.admin, r.id, { reportUpward: false })).data).toMatchObject({ reportUpward: false, topic: null });
    const audit = await t.db.query(`SELECT actor_id, after->>'topic' AS topic FROM audit_log WHERE action = 'request.report_upward' AND entity_id = $1 ORDER BY id`, [r.id]);
    expect(audit.rows).toEqual([
      { actor_id: w.salesEast1.id, topic: '交货 延迟' },
      { actor_id: w.managerEast.id, topic: '交货延迟' },
      { actor_id: w.admin.id, topic: null },
    ]);

    // Complaints the same: service handles complaints but does not flag one not assigned to them.
    const complaint = (await w.service.api.POST('/api/v1/complaints', { body: complaintBody(eastCustomer.id, { assigneeId: w.salesEast1.id }) })).data!;
    expect((await flagComplaint(w.service, complaint.id, topic)).response.status).toBe(403);
    expect((await flagComplaint(w.salesEast2, complaint.id, topic)).response.status).toBe(404);
    const byAssignee = (await flagComplaint(w.salesEast1, complaint.id, topic)).data!;
    expect(byAssignee).toMatchObject({ reportUpward: true, topic: '交货延迟' });
    expect(byAssignee.timeline.at(-1)).toMatchObject({ event: 'reported_upward', detail: { topic: '交货延迟' } });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'complaint.report_upward' AND entity_id = $1`, [complaint.id])).rows[0].n).toBe(1);
  });

  it('are grouped by topic for management on a known data set, with the period\'s frequent categories and kinds', async () => {
    const department = await t.department('Common issues');
    const seller = await t.userClient('sales', { departmentId: department });
    const manager = await t.userClient('manager', { departmentId: department });
    const [c1, c2] = [await createCustomer(seller), await createCustomer(seller)];
    const req = async (customer: Customer, kind: string, when: string) => (await request(seller, customer.id, { kind, receivedAt: when })).id;
    const complaint = async (customer: Customer, category: string, when: string) =>
      (await seller.api.POST('/api/v1/complaints', { body: complaintBody(customer.id, { category, receivedAt: when }) })).data!.id;
    const r1 = await req(c1, 'problem', at(1, '10:00'));
    const r2 = await req(c2, 'need', at(2, '11:00'));
    const r3 = await req(c1, 'enquiry', at(3, '09:30'));
    const r4 = await req(c1, 'suggestion', at(3, '15:00'));
    const r5 = await req(c2, 'problem', at(9, '10:00')); // after the period
    const k1 = await complaint(c1, 'delivery', at(2, '14:00'));
    await complaint(c2, 'delivery', at(4, '10:00'));
    const k3 = await complaint(c1, 'price', at(4, '16:00'));
    for (const id of [r1, r2, r5]) expect((await flag(manager, id, { reportUpward: true, topic: '交货延迟' })).response.status).toBe(200);
    await flag(manager, r3, { reportUpward: true, topic: '发票开具' });
    await flag(manager, r4, { reportUpward: true, topic: '发票开具' });
    await flag(manager, r4, { reportUpward: false }); // withdrawn: not counted
    await flagComplaint(manager, k1, { reportUpward: true, topic: '交货延迟' });
    await flagComplaint(manager, k3, { reportUpward: true, topic: ' 价格  异议' });

    const period = { from: at(0, '00:00'), to: at(6, '00:00') };
    const got = await manager.api.GET('/api/v1/requests/topics', { params: { query: period } });
    expect(got.response.status).toBe(200);
    expect(got.data).toEqual({
      from: new Date(period.from).toISOString(),
      to: new Date(period.to).toISOString(),
      topics: [
        { topic: '交货延迟', requests: 2, complaints: 1, firstSeenAt: utc(1, '10:00'), lastSeenAt: utc(2, '14:00'), sampleRequestIds: [r2, r1], sampleComplaintIds: [k1] },
        { topic: '价格 异议', requests: 0, complaints: 1, firstSeenAt: utc(4, '16:00'), lastSeenAt: utc(4, '16:00'), sampleRequestIds: [], sampleComplaintIds: [k3] },
        { topic: '发票开具', requests: 1, complaints: 0, firstSeenAt: utc(3, '09:30'), lastSeenAt: utc(3, '09:30'), sampleRequestIds: [r3], sampleComplaintIds: [] },
      ],
      complaintCategories: [
        { key: 'delivery', count: 2 },
        { key: 'price', count: 1 },
      ],
      requestKinds: [
        { key: 'enquiry', count: 1 },
        { key: 'need', count: 1 },
        { key: 'problem', count: 1 },
        { key: 'suggestion', count: 1 },
      ],
    });
    // Admins and auditors see them among everything; another department's manager sees none; staff may not ask.
    for (const actor of [w.admin, w.auditor]) {
      const all = (await actor.api.GET('/api/v1/requests/topics', { params: { query: period } })).data!;
      expect(all.topics.find((x) => x.topic === '价格 异议')).toMatchObject({ complaints: 1, sampleComplaintIds: [k3] });
    }
    const west = (await w.managerWest.api.GET('/api/v1/requests/topics', { params: { query: period } })).data!;
    expect(west.topics.flatMap((x) => [...x.sampleRequestIds, ...x.sampleComplaintIds])).not.toEqual(expect.arrayContaining([r1]));
    expect(west.topics.map((x) => x.topic)).not.toContain('价格 异议');
    for (const actor of [seller, w.service, w.marketing]) expect((await actor.api.GET('/api/v1/requests/topics', { params: { query: period } })).response.status).toBe(403);
    const backwards = await manager.api.GET('/api/v1/requests/topics', { params: { query: { from: period.to, to: period.from } } });
    expect(backwards.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'from' }] });
  });
});
