import { randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type WebhookEvent } from '../clients/typescript/src/index';
import { WebhookDeliveryWorker } from '../src/modules/webhooks';
import { Api, startTestApp, TestApp } from './support/test-app';
import { newCustomer } from './support/world';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  event: WebhookEvent;
}

type Answer = { status: number; echo?: boolean };

/** A real receiver on 127.0.0.1; each endpoint is a path. Answers 200, or what is queued for the path (echoing the body when asked). */
async function startReceiver() {
  const received: Received[] = [];
  const answers = new Map<string, Answer[]>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body, event: JSON.parse(body) as WebhookEvent });
      const answer = answers.get(path)?.shift() ?? { status: 200 };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.echo ? body : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, received, answers, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const ENV = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_BASE_MS: '100' };
const REASON = 'The ERP routes service calls by the contact\'s mobile (data processing agreement 2026-14)';
const newMobile = () => `139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

describe('webhooks granted personal data (issue 18)', () => {
  let t: TestApp;
  let admin: Api;
  let sales: Api;
  let auditor: Api;
  let worker: WebhookDeliveryWorker;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let paths = 0;

  beforeAll(async () => {
    t = await startTestApp(ENV);
    admin = await t.admin();
    sales = (await t.userClient('sales')).api;
    auditor = (await t.userClient('auditor')).api;
    // Driven by hand (tick), never on its timer: the tests decide what is queued when a grant changes.
    worker = t.app.get(WebhookDeliveryWorker);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  async function subscribe(events: string[] = ['contact.']) {
    paths += 1;
    const { data, error } = await admin.POST('/api/v1/webhooks', { body: { url: `${receiver.base}/hook-${paths}`, events } });
    if (!data) throw new Error(JSON.stringify(error));
    return { ...data, path: `/hook-${paths}` };
  }
  const hookPath = (id: string) => ({ params: { path: { id } } });
  const grant = (id: string) => admin.POST('/api/v1/webhooks/{id}/pii-grant', { ...hookPath(id), body: { reason: REASON } });
  const revoke = (id: string) => admin.POST('/api/v1/webhooks/{id}/pii-revoke', { ...hookPath(id), body: { reason: 'the agreement ended' } });
  const remove = (...ids: string[]) => Promise.all(ids.map((id) => admin.DELETE('/api/v1/webhooks/{id}', hookPath(id))));
  const at = (path: string, contactId: string) => receiver.received.filter((r) => r.path === path && r.event.data.entityId === contactId);

  /** Runs the worker until `what` holds. */
  async function deliverUntil<T>(what: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await worker.tick();
      const value = what();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('timed out waiting for deliveries');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A customer with one contact (its mobile and e-mail as typed), by sales. */
  async function customerWithContact() {
    const body = newCustomer();
    const { data, error } = await sales.POST('/api/v1/customers', { body });
    if (!data) throw new Error(JSON.stringify(error));
    const contact = data.contacts[0];
    return { customer: data, contact, mobile: body.contacts[0].mobile!, email: body.contacts[0].email! };
  }

  async function changeMobile(contact: { id: string; version: number }) {
    const mobile = newMobile();
    const { data, error } = await sales.PATCH('/api/v1/contacts/{id}', { ...hookPath(contact.id), body: { mobile, version: contact.version } });
    if (!data) throw new Error(JSON.stringify(error));
    return { contact: data, mobile };
  }

  async function outboxOf(contactId: string) {
    const { rows } = await t.db.query(`SELECT event, payload::text AS payload, pii_enc FROM outbox_events WHERE entity_id = $1 ORDER BY audit_id`, [contactId]);
    return rows as { event: string; payload: string; pii_enc: string | null }[];
  }

  it('personal data is never granted at creation or by PATCH: a body naming pii is refused, and a new webhook is not granted', async () => {
    const created = await admin.POST('/api/v1/webhooks', { body: { url: `${receiver.base}/side-door`, events: ['contact.'], pii: true } as never });
    expect(created.response.status).toBe(400);
    expect(created.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'pii' }] });
    expect((await admin.GET('/api/v1/webhooks')).data!.items.map((h) => h.url)).not.toContain(`${receiver.base}/side-door`);

    const hook = await subscribe();
    expect(hook).toMatchObject({ pii: false, piiGrantedAt: null });
    const patched = await admin.PATCH('/api/v1/webhooks/{id}', { ...hookPath(hook.id), body: { pii: true, version: hook.version } as never });
    expect(patched.response.status).toBe(400);
    expect(patched.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'pii' }] });
    expect((await admin.GET('/api/v1/webhooks/{id}', hookPath(hook.id))).data).toMatchObject({ pii: false, version: hook.version });
    await remove(hook.id);
  });

  it('only an admin grants or revokes, with a reason; each is an audit entry of its own that an auditor finds', async () => {
    const hook = await subscribe();
    const manager = (await t.userClient('manager')).api;
    for (const api of [sales, manager, auditor]) {
      const granted = await api.POST('/api/v1/webhooks/{id}/pii-grant', { ...hookPath(hook.id), body: { reason: REASON } });
      expect(granted.response.status).toBe(403);
      expect(granted.error).toMatchObject({ code: 'FORBIDDEN' });
      expect((await api.POST('/api/v1/webhooks/{id}/pii-revoke', { ...hookPath(hook.id), body: { reason: 'x' } })).response.status).toBe(403);
    }
    for (const [route, body] of [['pii-grant', {}], ['pii-grant', { reason: '' }], ['pii-revoke', {}]] as const) {
      const refused = await admin.POST(`/api/v1/webhooks/{id}/${route}`, { ...hookPath(hook.id), body: body as never });
      expect(refused.response.status).toBe(400);
      expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: expect.arrayContaining([expect.objectContaining({ field: 'reason' })]) });
    }
    const missing = await admin.POST('/api/v1/webhooks/{id}/pii-grant', { ...hookPath('00000000-0000-4000-8000-000000000000'), body: { reason: REASON } });
    expect(missing.response.status).toBe(404);
    expect((await admin.GET('/api/v1/webhooks/{id}', hookPath(hook.id))).data).toMatchObject({ pii: false, piiGrantedAt: null });

    const granted = await grant(hook.id);
    expect(granted.response.status).toBe(200);
    expect(granted.data).toMatchObject({ pii: true, version: hook.version + 1 });
    expect(granted.data!.piiGrantedAt).not.toBeNull();
    // granting again changes nothing, not even the time of the grant
    expect((await grant(hook.id)).data).toMatchObject({ pii: true, piiGrantedAt: granted.data!.piiGrantedAt, version: hook.version + 1 });

    const grants = await auditor.GET('/api/v1/audit-logs', { params: { query: { action: 'webhook.pii_grant', entityType: 'webhook', entityId: hook.id } } });
    expect(grants.response.status).toBe(200);
    const adminId = (await admin.GET('/api/v1/auth/me')).data!.id;
    expect(grants.data!.items).toHaveLength(1);
    expect(grants.data!.items[0]).toMatchObject({ entityType: 'webhook', actorId: adminId, reason: REASON, changedFields: ['pii'], before: { pii: false }, after: { pii: true } });

    expect((await revoke(hook.id)).data).toMatchObject({ pii: false, piiGrantedAt: null });
    const revokes = await auditor.GET('/api/v1/audit-logs', { params: { query: { action: 'webhook.pii_revoke', entityType: 'webhook', entityId: hook.id } } });
    expect(revokes.data!.items).toHaveLength(1);
    expect(revokes.data!.items[0]).toMatchObject({ actorId: adminId, reason: 'the agreement ended', before: { pii: true }, after: { pii: false } });
    await remove(hook.id);
  });

  it('while no endpoint is granted personal data, the outbox keeps no copy of it', async () => {
    const hook = await subscribe();
    const { contact } = await customerWithContact();
    await changeMobile(contact);
    const rows = await outboxOf(contact.id);
    expect(rows.map((r) => r.event)).toEqual(['contact.created', 'contact.updated']);
    expect(rows.every((r) => r.pii_enc === null)).toBe(true);
    await remove(hook.id);
  });

  it('a granted endpoint receives the unmasked personal data of the change, one not granted gets it masked; nothing is stored in clear', async () => {
    const granted = await subscribe();
    const masked = await subscribe();
    expect((await grant(granted.id)).response.status).toBe(200);
    const { contact, mobile, email } = await customerWithContact();
    const changed = await changeMobile(contact);

    await deliverUntil(() => at(granted.path, contact.id).length === 2 && at(masked.path, contact.id).length === 2);
    const [createdA, updatedA] = at(granted.path, contact.id);
    const [createdB, updatedB] = at(masked.path, contact.id);
    // signed as sent: the client package's verifier accepts the unmasked body
    expect(verifyWebhook(granted.secret, createdA.headers, createdA.body).type).toBe('contact.created');
    expect(createdA.event.data.after).toMatchObject({ mobile: `+86${mobile}`, email, name: '张伟' });
    expect(updatedA.event.data).toMatchObject({ changedFields: expect.arrayContaining(['mobile']), before: { mobile: `+86${mobile}` }, after: { mobile: `+86${changed.mobile}` } });
    // only the changed fields: the unchanged e-mail is not sent with the update
    expect(updatedA.event.data.after).not.toHaveProperty('email');
    for (const r of [createdB, updatedB]) {
      expect(r.body).not.toContain(mobile);
      expect(r.body).not.toContain(changed.mobile);
      expect(r.body).not.toContain(email);
    }
    expect(createdB.event.data.after).toMatchObject({ mobile: expect.stringContaining('****') });

    // the sealed copy is in the outbox, bound to its row under the data key; nothing in clear anywhere
    const rows = await outboxOf(contact.id);
    expect(rows.every((r) => r.pii_enc !== null && /^[0-9a-f]{8}:/.test(r.pii_enc))).toBe(true);
    const plain = [mobile, changed.mobile, email];
    const tables = await t.db.query(
      `SELECT (SELECT string_agg(payload::text || coalesce(pii_enc, ''), '') FROM outbox_events) AS outbox,
              (SELECT string_agg(before::text || after::text, '') FROM audit_log) AS audit,
              (SELECT string_agg(coalesce(response_excerpt, ''), '') FROM webhook_attempts) AS attempts`,
    );
    for (const value of plain) for (const column of Object.values(tables.rows[0])) expect(String(column)).not.toContain(value);

    // every send of unmasked personal data is logged, on the record it is about; never for the masked endpoint
    const sends = await auditor.GET('/api/v1/audit-logs', { params: { query: { action: 'pii.webhook_send', entityType: 'contact', entityId: contact.id } } });
    expect(sends.data!.items.map((e) => (e.after as { webhookId: string }).webhookId)).toEqual([granted.id, granted.id]);
    const deliveries = await admin.GET('/api/v1/webhooks/{id}/deliveries', hookPath(granted.id));
    expect(deliveries.data!.items.filter((d) => d.entityId === contact.id).map((d) => d.attempts[0].piiUnmasked)).toEqual([true, true]);
    const maskedDeliveries = await admin.GET('/api/v1/webhooks/{id}/deliveries', hookPath(masked.id));
    expect(maskedDeliveries.data!.items.filter((d) => d.entityId === contact.id).map((d) => d.attempts[0].piiUnmasked)).toEqual([false, false]);
    await remove(granted.id, masked.id);
  });

  it('a grant is not retroactive: an event queued before it is delivered masked, the next one unmasked', async () => {
    const other = await subscribe(['customer.created']); // granted, so the outbox keeps the sealed copy
    await grant(other.id);
    const hook = await subscribe();
    const { contact, mobile } = await customerWithContact();
    const before = await changeMobile(contact); // queued: the worker has not run
    expect((await outboxOf(contact.id)).every((r) => r.pii_enc !== null)).toBe(true);
    await grant(hook.id);
    const after = await changeMobile(before.contact);

    await deliverUntil(() => at(hook.path, contact.id).length === 3);
    const [created, queued, next] = at(hook.path, contact.id);
    expect(created.body).not.toContain(mobile); // masked, like the queued update
    expect(queued.body).not.toContain(before.mobile);
    expect(queued.event.data.after).toMatchObject({ mobile: expect.stringContaining('****') });
    expect(next.event.data).toMatchObject({ before: { mobile: `+86${before.mobile}` }, after: { mobile: `+86${after.mobile}` } });
    await remove(other.id, hook.id);
  });

  it('a revoke masks every delivery not yet made, and a redelivery follows the grant of now', async () => {
    const hook = await subscribe(['contact.updated']);
    await grant(hook.id);
    const { contact } = await customerWithContact();
    const first = await changeMobile(contact);
    await deliverUntil(() => at(hook.path, contact.id).length === 1);
    expect(at(hook.path, contact.id)[0].body).toContain(first.mobile);

    const second = await changeMobile(first.contact); // queued when the grant is revoked
    await revoke(hook.id);
    await deliverUntil(() => at(hook.path, contact.id).length === 2);
    expect(at(hook.path, contact.id)[1].body).not.toContain(second.mobile);
    expect(at(hook.path, contact.id)[1].event.data.after).toMatchObject({ mobile: expect.stringContaining('****') });

    // the first delivery went out unmasked; sent again after the revoke, it is masked
    const deliveries = (await admin.GET('/api/v1/webhooks/{id}/deliveries', hookPath(hook.id))).data!.items;
    const firstDelivery = deliveries.find((d) => d.eventId === at(hook.path, contact.id)[0].event.data.eventId)!;
    expect((await admin.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: hook.id, deliveryId: firstDelivery.id } } })).response.status).toBe(200);
    await deliverUntil(() => at(hook.path, contact.id).length === 3);
    const resent = at(hook.path, contact.id)[2];
    expect(resent.event.data.eventId).toBe(firstDelivery.eventId);
    expect(resent.body).not.toContain(first.mobile);

    // granted again: still masked, the event happened before this grant; a new change is unmasked
    await grant(hook.id);
    await admin.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: hook.id, deliveryId: firstDelivery.id } } });
    const third = await changeMobile(second.contact);
    await deliverUntil(() => at(hook.path, contact.id).length === 5);
    const [again, latest] = at(hook.path, contact.id).slice(3);
    expect(again.event.data.eventId).toBe(firstDelivery.eventId);
    expect(again.body).not.toContain(first.mobile);
    expect(latest.body).toContain(third.mobile);
    await remove(hook.id);
  });

  it('the deliveries list never echoes personal data: an answer to an unmasked request is not kept, an answer to a masked one is', async () => {
    const granted = await subscribe(['contact.created']);
    const masked = await subscribe(['contact.created']);
    await grant(granted.id);
    receiver.answers.set(granted.path, [{ status: 400, echo: true }]);
    receiver.answers.set(masked.path, [{ status: 400, echo: true }]);
    const { contact, mobile, email } = await customerWithContact();
    await deliverUntil(() => at(granted.path, contact.id).length === 2 && at(masked.path, contact.id).length === 2);
    // the receiver really echoed the personal data it was sent
    expect(at(granted.path, contact.id)[0].body).toContain(email);

    const [echoedToGranted] = (await admin.GET('/api/v1/webhooks/{id}/deliveries', hookPath(granted.id))).data!.items.filter((d) => d.entityId === contact.id);
    expect(echoedToGranted.attempts.map((a) => [a.statusCode, a.piiUnmasked, a.responseExcerpt])).toEqual([
      [200, true, null],
      [400, true, null],
    ]);
    const [echoedToMasked] = (await admin.GET('/api/v1/webhooks/{id}/deliveries', hookPath(masked.id))).data!.items.filter((d) => d.entityId === contact.id);
    expect(echoedToMasked.attempts[1]).toMatchObject({ statusCode: 400, piiUnmasked: false });
    expect(echoedToMasked.attempts[1].responseExcerpt).toContain(contact.id);
    const stored = await t.db.query(`SELECT string_agg(coalesce(response_excerpt, ''), '') AS s FROM webhook_attempts`);
    expect(stored.rows[0].s).not.toContain(email);
    expect(stored.rows[0].s).not.toContain(mobile);
    await remove(granted.id, masked.id);
  });
});
