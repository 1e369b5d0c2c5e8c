import { createHash, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { JobScheduler } from '../src/common/jobs/job-scheduler';
import { UploadSlots } from '../src/modules/attachments/upload-slots';
import { ADMIN_PASSWORD, startTestApp, TestApp, tokenFor } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/** Issue 16: attachments of opportunities and activities, streamed through PostgreSQL. */
let t: TestApp;
let w: World;
const tokens = new Map<string, string>();
beforeAll(async () => {
  // The test app's defaults (the production pool: 10 connections, 5 s wait for one).
  t = await startTestApp();
  w = await buildWorld(t);
});
// Prompt since a refusal before the body is read closes its connection (the close used to wait over 60 s).
afterAll(async () => {
  const started = Date.now();
  await t.close();
  console.log(`close took ${Date.now() - started} ms`);
});

const MB = 1024 * 1024;
const LIMIT = 20 * MB;
const at = (id: string) => ({ params: { path: { id } } });

async function token(actor: Actor): Promise<string> {
  if (!tokens.has(actor.id)) tokens.set(actor.id, await tokenFor(t, actor.username, actor.username === 'admin' ? ADMIN_PASSWORD : `password-of-${actor.username}`));
  return tokens.get(actor.id)!;
}

async function opportunityOf(actor: Actor): Promise<{ id: string; customerId: string }> {
  const customer = await createCustomer(actor);
  const r = await actor.api.POST('/api/v1/customers/{id}/opportunities', {
    ...at(customer.id),
    body: { title: '附件测试机会', source: 'referral', amount: 100000, expectedCloseDate: '2027-03-31', stage: 'lead', strategy: '跟进' },
  });
  expect(r.response.status).toBe(201);
  return { id: r.data!.id, customerId: customer.id };
}

/** A small upload the way a browser sends it (FormData). */
async function upload(actor: Actor, path: string, bytes: Buffer, fileName: string): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), fileName);
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${await token(actor)}` }, body: form });
}

interface StreamOptions {
  /** Another test app's address and token (default: this file's app, the actor's token). */
  baseUrl?: string;
  bearer?: string;
  /** Sends the first megabyte, then waits for this before sending the rest. */
  gate?: Promise<void>;
}

/**
 * A large upload streamed from one reused 1 MB block (the client holds no copy of the file either):
 * `size` bytes of text with a hand-written multipart envelope.
 */
async function uploadStreamed(actor: Actor, path: string, size: number, fileName: string, options: StreamOptions = {}): Promise<Response> {
  const boundary = `----crm${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/plain\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const block = Buffer.alloc(MB, '客户反馈汇总，第一季度满意度调查结果。\n');
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
    },
    async pull(controller) {
      if (sent >= MB && options.gate) await options.gate;
      if (sent >= size) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      const n = Math.min(MB, size - sent);
      controller.enqueue(n === MB ? block : block.subarray(0, n));
      sent += n;
    },
  });
  return fetch(`${options.baseUrl ?? t.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.bearer ?? (await token(actor))}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
  } as RequestInit);
}

async function download(actor: Actor, path: string): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${await token(actor)}` } });
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
/** A Windows executable's first bytes (DOS header with the PE offset, then the PE signature). */
function executable(): Buffer {
  const exe = Buffer.alloc(512);
  exe.write('MZ', 0, 'latin1');
  exe.writeUInt32LE(0x80, 0x3c);
  exe.write('PE\0\0', 0x80, 'latin1');
  exe.writeUInt16LE(0x14c, 0x84);
  return exe;
}

describe('opportunity attachments', () => {
  it('a Chinese file name goes in and comes back out intact (RFC 5987), with its bytes, type from the content and SHA-256', async () => {
    const o = await opportunityOf(w.salesEast1);
    const name = '客户反馈汇总（第一季度）.pdf';
    const r = await upload(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, PDF, name);
    expect(r.status).toBe(201);
    const created = (await r.json()) as { id: string; fileName: string; contentType: string; sizeBytes: number; sha256: string };
    expect(created).toMatchObject({ fileName: name, contentType: 'application/pdf', sizeBytes: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex') });

    const got = await download(w.managerEast, `/api/v1/opportunities/${o.id}/attachments/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    const disposition = got.headers.get('content-disposition')!;
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)![1];
    expect(decodeURIComponent(encoded)).toBe(name);
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=/);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PDF);
    expect(got.headers.get('x-content-sha256')).toBe(created.sha256);

    const listed = await w.auditor.api.GET('/api/v1/opportunities/{id}/attachments', at(o.id));
    expect(listed.data!.map((a) => a.fileName)).toEqual([name]);
    // every download is audited
    const audit = (await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType: 'attachment', entityId: created.id, limit: 10 } } })).data!.items;
    expect(audit.map((e) => e.action).sort()).toEqual(['attachment.download', 'attachment.upload']);
    expect(audit.find((e) => e.action === 'attachment.download')).toMatchObject({ actorId: w.managerEast.id });
  });

  it('refuses a renamed executable with 415 and keeps nothing of it', async () => {
    const o = await opportunityOf(w.salesEast1);
    const r = await upload(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, executable(), '报价单.pdf');
    expect(r.status).toBe(415);
    expect(await r.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    const binary = await upload(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, randomBytes(4096), 'notes.txt');
    expect(binary.status).toBe(415);
    expect((await w.salesEast1.api.GET('/api/v1/opportunities/{id}/attachments', at(o.id))).data).toEqual([]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM attachments WHERE parent_id = $1`, [o.id])).rows[0].n).toBe(0);
  });

  it('takes CSV and plain text by content, and refuses a body that is not multipart', async () => {
    const o = await opportunityOf(w.salesEast1);
    const csv = await upload(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, Buffer.from('客户,金额\n甲公司,100000\n'), '报价明细.csv');
    expect(await csv.json()).toMatchObject({ contentType: 'text/csv; charset=utf-8' });
    const json = await fetch(`${t.baseUrl}/api/v1/opportunities/${o.id}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(w.salesEast1)}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
  });

  it('20 MB + 1 byte is 413 and leaves nothing behind; exactly 20 MB is stored', async () => {
    const o = await opportunityOf(w.salesEast1);
    const over = await uploadStreamed(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, LIMIT + 1, 'too-big.txt');
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM attachments WHERE parent_id = $1`, [o.id])).rows[0].n).toBe(0);
    const exact = await uploadStreamed(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, LIMIT, 'exact.txt');
    expect(exact.status).toBe(201);
    expect(await exact.json()).toMatchObject({ sizeBytes: LIMIT, contentType: 'text/plain; charset=utf-8' });
  }, 120_000);

  it('whoever cannot see the opportunity gets 404; roles without the commercial record 403; deletion by uploader or manager only', async () => {
    const o = await opportunityOf(w.salesEast1);
    const r = await upload(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, PDF, 'a.pdf');
    const { id } = (await r.json()) as { id: string };
    const file = `/api/v1/opportunities/${o.id}/attachments/${id}`;
    expect((await download(w.salesWest, file)).status).toBe(404);
    expect((await download(w.managerWest, file)).status).toBe(404);
    expect((await download(w.salesEast2, file)).status).toBe(404);
    expect((await download(w.service, file)).status).toBe(403);
    expect((await upload(w.salesWest, `/api/v1/opportunities/${o.id}/attachments`, PDF, 'b.pdf')).status).toBe(404);
    // an attachment id under another opportunity is not found
    const other = await opportunityOf(w.salesEast1);
    expect((await download(w.salesEast1, `/api/v1/opportunities/${other.id}/attachments/${id}`)).status).toBe(404);

    // the manager uploads one; the seller (not its uploader) may not delete it
    const byManager = (await (await upload(w.managerEast, `/api/v1/opportunities/${o.id}/attachments`, PDF, 'm.pdf')).json()) as { id: string };
    const del = (a: Actor, attachmentId: string) => a.api.DELETE('/api/v1/opportunities/{id}/attachments/{attachmentId}', { params: { path: { id: o.id, attachmentId } } });
    expect((await del(w.salesEast1, byManager.id)).response.status).toBe(403);
    expect((await del(w.salesWest, id)).response.status).toBe(404);
    expect((await del(w.managerEast, id)).response.status).toBe(204);
    expect((await download(w.salesEast1, file)).status).toBe(404);
    expect((await del(w.managerEast, byManager.id)).response.status).toBe(204);
    // kept in the database, soft-deleted, audited
    expect((await t.db.query(`SELECT deleted_by FROM attachments WHERE id = $1`, [id])).rows[0].deleted_by).toBe(w.managerEast.id);
    const audit = (await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType: 'attachment', entityId: id, action: 'attachment.delete' } } })).data!.items;
    expect(audit).toHaveLength(1);
  });
});

describe('memory stays flat', () => {
  it('while ten 20 MB files go up at once and then come down at once', async () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const o = await opportunityOf(w.salesEast1);
    await token(w.salesEast1); // one login before the rush
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    gc();
    const baseline = used();
    let peak = baseline;
    const unread: Response[] = [];
    // Live memory: sampled after a collection now and then, so garbage waiting for the collector does not count.
    // Once a second: a full collection of this process (the app and the test together) every 250 ms
    // took so much of a loaded machine's time that queued uploads waited past ATTACHMENT_UPLOAD_QUEUE_WAIT_MS.
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, used());
    }, 1000);
    try {
      const uploads = await Promise.all(
        Array.from({ length: 10 }, (_, i) => uploadStreamed(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, LIMIT, `批量-${i}.txt`)),
      );
      const answers = (await Promise.all(uploads.map((r) => r.json()))) as { id: string; sizeBytes: number; sha256: string; code?: string }[];
      // Every one goes through: no 503 tolerated, no retry.
      expect(uploads.map((r, i) => (r.status === 201 ? 201 : `${r.status} ${JSON.stringify(answers[i])}`))).toEqual(Array(10).fill(201));
      const stored = answers;
      const downloads = await Promise.all(stored.map((s) => download(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments/${s.id}`)));
      // Should an assertion fail, the bodies not read are let go, so that they do not hold the app's close.
      unread.push(...downloads);
      const refused = await Promise.all(downloads.filter((r) => r.status !== 200).map(async (r) => `${r.status} ${await r.text()}`));
      expect(refused).toEqual([]);
      const hashes = await Promise.all(
        downloads.map(async (r) => {
          const hash = createHash('sha256');
          let size = 0;
          for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
            hash.update(chunk);
            size += chunk.length;
          }
          return { size, sha256: hash.digest('hex') };
        }),
      );
      expect(hashes).toEqual(stored.map((s) => ({ size: LIMIT, sha256: s.sha256 })));
    } finally {
      clearInterval(sampler);
      await Promise.allSettled(unread.map((r) => (r.bodyUsed ? undefined : r.body?.cancel())));
    }
    const grown = (peak - baseline) / MB;
    // 10 × 20 MB held anywhere (client or server) would be 200 MB; streaming keeps a few chunks per transfer.
    console.log(`memory: peak live growth ${grown.toFixed(1)} MB for 10 × 20 MB up and down`);
    expect(grown).toBeLessThan(60);
  }, 480_000);
});

describe('uploads do not starve the pool', () => {
  it('while ten 20 MB uploads are in flight, an ordinary request still answers 200 promptly', async () => {
    const o = await opportunityOf(w.salesEast1);
    const pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    await token(w.salesEast1);
    let inFlight = 10;
    const uploads = Array.from({ length: 10 }, (_, i) =>
      uploadStreamed(w.salesEast1, `/api/v1/opportunities/${o.id}/attachments`, LIMIT, `并发-${i}.txt`).finally(() => (inFlight -= 1)),
    );
    const probes: { status: number; ms: number; waiting: number; allTen: boolean }[] = [];
    let maxWaiting = 0;
    let maxBusy = 0;
    let maxUploading = 0;
    let acquired = 0;
    const countAcquire = () => (acquired += 1);
    pool.on('acquire', countAcquire);
    const slots = t.app.get(UploadSlots);
    // From when all ten are admitted (streaming or queued): before that, their ten access checks arrive at once like any ten requests.
    for (let i = 0; slots.usage.running + slots.usage.waiting < 10; i++) {
      expect(i).toBeLessThan(400);
      await new Promise((done) => setTimeout(done, 25));
    }
    const sampler = setInterval(() => {
      maxWaiting = Math.max(maxWaiting, pool.waitingCount);
      maxBusy = Math.max(maxBusy, pool.totalCount - pool.idleCount);
      maxUploading = Math.max(maxUploading, slots.usage.running);
    }, 20);
    try {
      // Ordinary reads, one after another, as long as uploads are in flight.
      while (inFlight > 0) {
        const allTen = inFlight === 10;
        const started = performance.now();
        const waiting = pool.waitingCount;
        const r = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { limit: 20 } } });
        probes.push({ status: r.response.status, ms: performance.now() - started, waiting, allTen });
        await new Promise((done) => setTimeout(done, 100));
      }
      const statuses = await Promise.all(uploads.map(async (pending) => {
        const r = await pending;
        return `${r.status} ${((await r.json()) as { code?: string }).code ?? ''}`.trim();
      }));
      const ms = probes.map((p) => p.ms).sort((a, b) => a - b);
      console.log(
        `during ten uploads: ${probes.length} ordinary requests, median ${ms[Math.floor(ms.length / 2)]?.toFixed(0)} ms, max ${ms.at(-1)?.toFixed(0)} ms; ` +
          `pool: waiting max ${maxWaiting}, busy max ${maxBusy} of ${pool.options.max}, ${acquired} acquisitions in all; ` +
          `uploads streaming at once max ${maxUploading}; uploads ${JSON.stringify(statuses)}`,
      );
      // Uploads never hold more than their share of the pool, so an ordinary request never waits for a connection.
      expect(maxUploading).toBeLessThanOrEqual(slots.capacity);
      expect(maxWaiting).toBe(0);
      expect(probes.filter((p) => p.allTen).length).toBeGreaterThanOrEqual(3);
      expect(probes.filter((p) => p.status !== 200)).toEqual([]);
      expect(ms.at(-1)!).toBeLessThan(1000);
      expect(statuses).toEqual(Array(10).fill('201'));
    } finally {
      clearInterval(sampler);
      pool.off('acquire', countAcquire);
      await Promise.allSettled(uploads);
    }
  }, 300_000);
});

describe('upload slots', () => {
  it('past the slots and the queue an upload is answered 503 BUSY with Retry-After before its body is read, and nothing of it is kept', async () => {
    // One slot and one place in the queue, waited for at most 1.5 s.
    const small = await startTestApp({ ATTACHMENT_MAX_CONCURRENT_UPLOADS: '1', ATTACHMENT_UPLOAD_QUEUE: '1', ATTACHMENT_UPLOAD_QUEUE_WAIT_MS: '1500' });
    try {
      const seller = await small.userClient('sales');
      const customer = await createCustomer(seller);
      const created = await seller.api.POST('/api/v1/customers/{id}/opportunities', {
        ...at(customer.id),
        body: { title: '排队测试', source: 'referral', amount: 1000, expectedCloseDate: '2027-03-31', stage: 'lead', strategy: '跟进' },
      });
      const path = `/api/v1/opportunities/${created.data!.id}/attachments`;
      const options = { baseUrl: small.baseUrl, bearer: await tokenFor(small, seller.username, `password-of-${seller.username}`) };
      const rows = async () => (await small.db.query(`SELECT stored_at IS NOT NULL AS stored FROM attachments WHERE parent_id = $1`, [created.data!.id])).rows;

      // The first upload takes the slot and holds it: its client sends 1 MB, then stops.
      let resume!: () => void;
      const first = uploadStreamed(seller, path, 4 * MB, 'first.txt', { ...options, gate: new Promise((done) => (resume = done)) });
      for (let i = 0; (await rows()).length === 0; i++) {
        expect(i).toBeLessThan(200);
        await new Promise((done) => setTimeout(done, 50));
      }
      // The second waits in the queue; the third finds the queue full and is refused at once, though its client has not finished sending.
      const queuedAt = Date.now();
      const queued = uploadStreamed(seller, path, 2 * MB, 'queued.txt', options);
      await new Promise((done) => setTimeout(done, 200));
      // (Its client never sends the rest: the refusal closes the connection, which does not then hold up the instance's close.)
      const startedAt = Date.now();
      const third = await uploadStreamed(seller, path, 4 * MB, 'third.txt', { ...options, gate: new Promise(() => undefined) });
      const refusedInMs = Date.now() - startedAt;
      expect(third.status).toBe(503);
      expect(third.headers.get('connection')).toBe('close');
      expect(third.headers.get('retry-after')).toBe('2');
      expect(await third.json()).toMatchObject({ code: 'BUSY', detail: expect.stringContaining('ATTACHMENT_MAX_CONCURRENT_UPLOADS') });
      expect(refusedInMs).toBeLessThan(1000);
      // The queued one's turn does not come within the wait: 503 BUSY too.
      const late = await queued;
      expect(late.status).toBe(503);
      expect(await late.json()).toMatchObject({ code: 'BUSY' });
      expect(Date.now() - queuedAt).toBeGreaterThanOrEqual(1500);

      resume();
      expect((await first).status).toBe(201);
      // Only the first is kept; and with the slot free again the next upload goes through.
      expect(await rows()).toEqual([{ stored: true }]);
      expect((await uploadStreamed(seller, path, 1024, 'next.txt', options)).status).toBe(201);
      expect(small.app.get(UploadSlots).usage).toEqual({ running: 0, waiting: 0 });
    } finally {
      const closing = Date.now();
      await small.close();
      console.log(`the small app closed in ${Date.now() - closing} ms`);
    }
  }, 120_000);
});

describe('abandoned uploads', () => {
  it('an upload left unfinished for over an hour (its instance died) goes with its chunks, by the hourly job; newer and finished ones stay', async () => {
    const o = await opportunityOf(w.salesEast1);
    const insert = async (age: string, stored: boolean) => {
      const { rows } = await t.db.query(
        `INSERT INTO attachments (parent_type, parent_id, file_name, content_type, uploaded_by, uploaded_at, stored_at, sha256, size_bytes)
         VALUES ('opportunity', $1, 'x.txt', 'text/plain; charset=utf-8', $2, now() - $3::interval, CASE WHEN $4 THEN now() END, CASE WHEN $4 THEN repeat('0', 64) END, 2)
         RETURNING id`,
        [o.id, w.salesEast1.id, age, stored],
      );
      await t.db.query(`INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES ($1, 0, '\\x6869'), ($1, 1, '\\x6869')`, [rows[0].id]);
      return rows[0].id as string;
    };
    const abandoned = await insert('2 hours', false);
    const streaming = await insert('10 minutes', false);
    const finished = await insert('3 hours', true);
    await t.db.query(`DELETE FROM scheduled_jobs WHERE name = 'attachments.abandoned-uploads'`);

    expect(await t.app.get(JobScheduler).tick()).toContain('attachments.abandoned-uploads');
    const left = await t.db.query(`SELECT a.id, count(c.seq)::int AS chunks FROM attachments a LEFT JOIN attachment_chunks c ON c.attachment_id = a.id WHERE a.parent_id = $1 GROUP BY a.id`, [o.id]);
    expect(new Map(left.rows.map((r: { id: string; chunks: number }) => [r.id, r.chunks]))).toEqual(new Map([[streaming, 2], [finished, 2]]));
    expect((await t.db.query(`SELECT count(*)::int AS n FROM attachment_chunks WHERE attachment_id = $1`, [abandoned])).rows[0].n).toBe(0);
    expect((await t.db.query(`SELECT last_result FROM scheduled_jobs WHERE name = 'attachments.abandoned-uploads'`)).rows[0].last_result).toEqual({ removed: 1 });
    // Within the hour it does not run again (on this or any instance).
    expect(await t.app.get(JobScheduler).tick()).not.toContain('attachments.abandoned-uploads');
  });
});
