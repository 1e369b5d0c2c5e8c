import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transactions } from '../src/database/transactions';
import { WebhookDeliveryWorker } from '../src/modules/webhooks';
import { WebhooksRepository } from '../src/modules/webhooks/webhooks.repository';
import { Api, startTestApp, TestApp } from './support/test-app';
import { newCustomer } from './support/world';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
}

/** A real receiver on 127.0.0.1: answers each POST with the next queued status (200 when none). */
async function startReceiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body, json: JSON.parse(body) as Received['json'] });
      const status = answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `failing on purpose ${'x'.repeat(800)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, answers, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The Standard Webhooks reference verification, written from the specification with node:crypto. */
function verifies(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.split('_')[1], 'base64');
  const content = `${r.headers['webhook-id'] as string}.${r.headers['webhook-timestamp'] as string}.${r.body}`;
  const expected = Buffer.from(createHmac('sha256', key).update(content).digest('base64'));
  return (r.headers['webhook-signature'] as string).split(' ').some((s) => {
    const [version, signature] = s.split(',');
    const given = Buffer.from(signature ?? '');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function until<T>(what: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ENV = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_BASE_MS: '100' };

describe('webhooks (issue 18)', () => {
  let t: TestApp;
  let admin: Api;
  let sales: Api;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    t = await startTestApp(ENV);
    admin = await t.admin();
    sales = (await t.userClient('sales')).api;
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  async function subscribe(events: string[]) {
    const { data, error, response } = await admin.POST('/api/v1/webhooks', { body: { url: receiver.url, events } });
    if (response.status !== 201) console.log(JSON.stringify(error));
    expect(response.status).toBe(201);
    if (!data) throw new Error(JSON.stringify(error));
    expect(data.secret).toMatch(/^whsec_/);
    return data;
  }

  it('delivers a committed change, signed per Standard Webhooks; a refused PATCH announces nothing; the secret is shown once', async () => {
    const hook = await subscribe(['customer.']);
    const listed = await admin.GET('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } });
    expect(listed.data).not.toHaveProperty('secret');
    const stored = await t.db.query(`SELECT secret_enc FROM webhooks WHERE id = $1`, [hook.id]);
    expect(stored.rows[0].secret_enc).not.toContain(hook.secret.slice(6));

    const created = (await sales.POST('/api/v1/customers', { body: newCustomer() })).data!;
    const path = { params: { path: { id: created.id } } };
    const refused = await sales.PATCH('/api/v1/customers/{id}', { ...path, body: { industry: '批发和零售业', version: 99 } });
    expect(refused.response.status).toBe(412);
    // nothing is delivered before the worker runs: delivery is after commit, from the outbox
    const outbox = await t.db.query(`SELECT event FROM outbox_events WHERE entity_id = $1 ORDER BY audit_id`, [created.id]);
    expect(outbox.rows.map((r) => r.event)).toEqual(['customer.created']);

    const worker = t.app.get(WebhookDeliveryWorker);
    worker.start();
    const got = await until(() => receiver.received.find((r) => r.json.data.entityId === created.id));
    expect(got.json.type).toBe('customer.created');
    expect(verifies(hook.secret, got)).toBe(true);
    expect(verifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, got)).toBe(false);
    expect(got.headers['webhook-id']).toBe(got.json.data.eventId);
    // a little later: still only the committed change, never the refused one
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.filter((r) => r.json.data.entityId === created.id)).toHaveLength(1);
    // personal data arrives masked (the audit snapshot's values)
    expect(got.body).not.toContain('example.com');

    await admin.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } });
  });

  it('retries a failing receiver with backoff: three failures, then the event once more, and the entity\'s next event after it', async () => {
    const hook = await subscribe(['customer.created', 'customer.updated']);
    receiver.answers.push(500, 503, 502);
    const created = (await sales.POST('/api/v1/customers', { body: newCustomer() })).data!;
    const updated = await sales.PATCH('/api/v1/customers/{id}', { params: { path: { id: created.id } }, body: { industry: '批发和零售业', version: created.version } });
    expect(updated.response.status).toBe(200);
    const mine = () => receiver.received.filter((r) => r.json.data.entityId === created.id);
    await until(() => mine().length >= 5 && mine());
    await new Promise((r) => setTimeout(r, 500));
    const events = mine().map((r) => `${r.json.type}:${r.headers['webhook-id'] as string}`);
    const createdId = mine()[0].headers['webhook-id'];
    expect(events).toEqual([...Array(4).fill(`customer.created:${createdId as string}`), `customer.updated:${mine()[4].headers['webhook-id'] as string}`]);

    const deliveries = await admin.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id: hook.id } } });
    const first = deliveries.data!.items.find((d) => d.event === 'customer.created')!;
    expect(first).toMatchObject({ status: 'delivered', attemptCount: 4 });
    expect(first.attempts.map((a) => a.statusCode)).toEqual([200, 502, 503, 500]);
    expect(first.attempts[1].responseExcerpt!.length).toBe(500);

    const again = await admin.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: hook.id, deliveryId: first.id } } });
    expect(again.data).toMatchObject({ status: 'pending' });
    await until(() => mine().length === 6);
    expect(mine()[5].headers['webhook-id']).toBe(createdId);
    await admin.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } });
  });

  it('410 Gone disables the endpoint, with the reason shown to admins', async () => {
    const hook = await subscribe(['customer.created']);
    receiver.answers.push(410);
    await sales.POST('/api/v1/customers', { body: newCustomer() });
    const seen = await until(() => receiver.received.length >= 1);
    expect(seen).toBe(true);
    let hookNow = (await admin.GET('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } })).data!;
    for (let i = 0; i < 40 && hookNow.active; i++) {
      await new Promise((r) => setTimeout(r, 50));
      hookNow = (await admin.GET('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } })).data!;
    }
    expect(hookNow).toMatchObject({ active: false, disabledReason: 'the endpoint answered 410 Gone' });
    const stale = await admin.PATCH('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } }, body: { active: true, version: hook.version } });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ code: 'VERSION_CONFLICT' });
    const reenabled = await admin.PATCH('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } }, body: { active: true, version: hookNow.version } });
    expect(reenabled.data).toMatchObject({ active: true, disabledReason: null });
    await admin.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } });
  });

  it('refuses private, loopback and link-local addresses without the allow-list (SSRF), at creation and at change', async () => {
    for (const url of ['http://10.0.0.8/hook', 'http://192.168.1.1/hook', 'http://169.254.169.254/latest', 'http://[::1]:8080/hook', 'http://localhost:9/hook', 'ftp://127.0.0.1/x']) {
      const { response, error } = await admin.POST('/api/v1/webhooks', { body: { url, events: ['customer.'] } });
      expect(response.status).toBe(422);
      expect(error).toMatchObject({ code: 'WEBHOOK_URL_REFUSED', errors: [{ field: 'url' }] });
    }
    const hook = await subscribe(['customer.']);
    const moved = await admin.PATCH('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } }, body: { url: 'http://10.1.1.1/hook', version: hook.version } });
    expect(moved.response.status).toBe(422);
    expect(moved.error).toMatchObject({ code: 'WEBHOOK_URL_REFUSED' });
    await admin.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } });
  });

  it('is for admins only: other roles get 403', async () => {
    const hook = await subscribe(['customer.']);
    const manager = (await t.userClient('manager')).api;
    for (const api of [sales, manager]) {
      expect((await api.GET('/api/v1/webhooks')).response.status).toBe(403);
      expect((await api.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id: hook.id } } })).response.status).toBe(403);
      expect((await api.POST('/api/v1/webhooks', { body: { url: receiver.url, events: ['customer.'] } })).response.status).toBe(403);
      expect((await api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } })).response.status).toBe(403);
    }
    expect((await admin.GET('/api/v1/webhooks')).data!.items.map((h) => h.id)).toContain(hook.id);
    await admin.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } });
    expect((await admin.GET('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } })).response.status).toBe(404);
  });

  it('forgets finished deliveries and their events after 30 days, never a pending one', async () => {
    const hook = await subscribe(['customer.created']);
    t.app.get(WebhookDeliveryWorker).start();
    const created = (await sales.POST('/api/v1/customers', { body: newCustomer() })).data!;
    await until(() => receiver.received.find((r) => r.json.data.entityId === created.id));
    await new Promise((r) => setTimeout(r, 300)); // the delivered mark commits just after the 2xx
    const { rows: before } = await t.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'pending'`);
    expect(before[0].n).toBeGreaterThan(0);
    await t.db.query(`UPDATE webhook_deliveries SET created_at = now() - interval '31 days'`);
    await t.db.query(`UPDATE outbox_events SET dispatched_at = now() - interval '31 days' WHERE dispatched_at IS NOT NULL`);
    const pending = await t.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'`);
    const repository = t.app.get(WebhooksRepository);
    const purged = await t.app.get(Transactions).run(() => repository.purgeOlderThan(30, 10_000));
    expect(purged.deliveries).toBe(before[0].n);
    const { rows: after } = await t.db.query(`SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status`);
    expect(after.filter((r) => r.status !== 'pending')).toEqual([]);
    expect(after.find((r) => r.status === 'pending')?.n ?? 0).toBe(pending.rows[0].n);
    expect(purged.events).toBeGreaterThan(0);
    const left = await t.db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE entity_id = $1`, [created.id]);
    expect(left.rows[0].n).toBe(0);
    await admin.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } });
  });

  // Last: passport's strategies are process-global, so the JWT strategy of the application created
  // last (here one this test closes) authenticates every application in the process; after it is
  // closed, authenticated calls to the first fail with "Driver not Connected" (500).
  it('a service stopped between commit and delivery: another instance on the same database delivers after restart', async () => {
    const second = await startTestApp(ENV);
    const secondReceiver = await startReceiver();
    try {
      const secondAdmin = await second.admin();
      const hook = (await secondAdmin.POST('/api/v1/webhooks', { body: { url: secondReceiver.url, events: ['customer.created'] } })).data!;
      const created = (await secondAdmin.POST('/api/v1/customers', { body: newCustomer() })).data!;
      expect(created.id).toBeDefined();
      // the instance that committed never ran its worker: it stops now
      await second.app.close();
      const restarted = await second.anotherInstance();
      restarted.get(WebhookDeliveryWorker).start();
      const got = await until(() => secondReceiver.received.find((r) => r.json.data.entityId === created.id));
      expect(got.json.type).toBe('customer.created');
      expect(verifies(hook.secret, got)).toBe(true);
    } finally {
      await secondReceiver.close();
      await second.close().catch(() => undefined);
    }
  });
});
