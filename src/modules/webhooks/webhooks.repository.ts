import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { WebhookEntity } from './webhook.entity';

export interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  pii: boolean;
  piiGrantedAt: Date | null;
  version: number;
  secretEnc: string;
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A delivery a worker has claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  url: string;
  secretEnc: string;
  eventId: string;
  event: string;
  entityType: string;
  entityId: string | null;
  occurredAt: Date;
  payload: Record<string, unknown>;
  /** The event's sealed personal data (outbox_events.pii_enc), if any was kept. */
  piiEnc: string | null;
  /** The endpoint is granted personal data now, and was when the event happened. */
  piiGranted: boolean;
  attempts: number;
  createdAt: Date;
}

export interface AttemptRow {
  deliveryId: string;
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  piiUnmasked: boolean;
}

export interface DeliveryRow {
  id: string;
  seq: string;
  eventId: string;
  event: string;
  entityType: string;
  entityId: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  createdAt: Date;
}

const WEBHOOK_COLUMNS = `id, url, events, description, active, pii, pii_granted_at AS "piiGrantedAt", version, secret_enc AS "secretEnc", disabled_reason AS "disabledReason",
  disabled_at AS "disabledAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** How long a claim holds: longer than one attempt's timeout, so only a dead worker's claims expire. */
const LEASE_SECONDS = 60;

@Injectable()
export class WebhooksRepository {
  constructor(private readonly transactions: Transactions) {}

  private get db() {
    return this.transactions.manager;
  }

  async insert(row: Pick<WebhookEntity, 'id' | 'url' | 'events' | 'description' | 'active' | 'secretEnc' | 'createdBy'>): Promise<WebhookRow> {
    const [created]: WebhookRow[] = await this.db.query(
      `INSERT INTO webhooks (id, url, events, description, active, secret_enc, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${WEBHOOK_COLUMNS}`,
      [row.id, row.url, row.events, row.description, row.active, row.secretEnc, row.createdBy],
    );
    return created;
  }

  async count(): Promise<number> {
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM webhooks`);
    return n;
  }

  async list(): Promise<WebhookRow[]> {
    return this.db.query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id LIMIT 100`);
  }

  async findById(id: string, lock = false): Promise<WebhookRow | undefined> {
    const [row]: WebhookRow[] = await this.db.query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row;
  }

  async update(id: string, fields: { url: string; events: string[]; description: string | null; active: boolean; clearDisabled: boolean }): Promise<WebhookRow> {
    const [[row]]: [WebhookRow[]] = await this.db.query(
      `UPDATE webhooks SET url = $2, events = $3, description = $4, active = $5, updated_at = now(), version = version + 1,
              disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END, disabled_at = CASE WHEN $6 THEN NULL ELSE disabled_at END
        WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
      [id, fields.url, fields.events, fields.description, fields.active, fields.clearDisabled],
    );
    return row;
  }

  /** Grants or revokes personal data; a grant is dated now (only events from then on are unmasked). */
  async setPii(id: string, granted: boolean): Promise<WebhookRow> {
    const [[row]]: [WebhookRow[]] = await this.db.query(
      `UPDATE webhooks SET pii = $2, pii_granted_at = CASE WHEN $2 THEN now() END, updated_at = now(), version = version + 1
        WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
      [id, granted],
    );
    return row;
  }

  /** Whether any endpoint is granted personal data (then the outbox keeps it, sealed). */
  async anyGrantedPii(): Promise<boolean> {
    const [{ granted }]: { granted: boolean }[] = await this.db.query(`SELECT EXISTS (SELECT 1 FROM webhooks WHERE pii) AS granted`);
    return granted;
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
  }

  /**
   * Fans committed outbox events out to the active endpoints subscribed to them (created before
   * the event), then marks the events dispatched. Rows claimed with SKIP LOCKED: each event is
   * fanned out by one instance; ids of the audit chain give the order.
   */
  async fanOut(limit: number): Promise<number> {
    const [{ n }]: { n: number }[] = await this.db.query(
      `WITH events AS (
         SELECT id, audit_id, event, entity_type, entity_id, occurred_at FROM outbox_events
          WHERE dispatched_at IS NULL ORDER BY audit_id LIMIT $1 FOR UPDATE SKIP LOCKED),
       fanned AS (
         INSERT INTO webhook_deliveries (id, webhook_id, event_id, seq, entity_key, next_attempt_at)
         SELECT gen_random_uuid(), w.id, e.id, e.audit_id, left(e.entity_type || ':' || coalesce(e.entity_id, ''), 170), now()
           FROM events e JOIN webhooks w ON w.active AND w.created_at <= e.occurred_at
          WHERE EXISTS (SELECT 1 FROM unnest(w.events) p WHERE p = '*' OR p = e.event OR (right(p, 1) = '.' AND starts_with(e.event, p)))
         ON CONFLICT ON CONSTRAINT uq_webhook_deliveries_event DO NOTHING),
       marked AS (UPDATE outbox_events o SET dispatched_at = now() FROM events e WHERE o.id = e.id RETURNING 1)
       SELECT count(*)::int AS n FROM marked`,
      [limit],
    );
    return n;
  }

  /**
   * Claims up to `limit` due deliveries, each the oldest pending one of its entity for its endpoint
   * (so an entity's events go out in order), for LEASE_SECONDS. SKIP LOCKED: concurrent workers on
   * other instances claim other rows, never the same one.
   */
  async claimDue(limit: number): Promise<ClaimedDelivery[]> {
    return this.db.query(
      `WITH claimed AS (
         UPDATE webhook_deliveries d SET leased_until = now() + interval '${LEASE_SECONDS} seconds', attempts = d.attempts + 1
          WHERE d.id IN (
            SELECT c.id FROM webhook_deliveries c JOIN webhooks w ON w.id = c.webhook_id AND w.active
             WHERE c.status = 'pending' AND c.next_attempt_at <= now() AND (c.leased_until IS NULL OR c.leased_until < now())
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                                WHERE p.webhook_id = c.webhook_id AND p.entity_key = c.entity_key AND p.status = 'pending' AND p.seq < c.seq)
             ORDER BY c.next_attempt_at LIMIT $1 FOR UPDATE OF c SKIP LOCKED)
          RETURNING d.id, d.webhook_id, d.event_id, d.attempts, d.created_at)
       SELECT c.id, c.webhook_id AS "webhookId", w.url, w.secret_enc AS "secretEnc", e.id AS "eventId", e.event,
              e.entity_type AS "entityType", e.entity_id AS "entityId", e.occurred_at AS "occurredAt", e.payload,
              e.pii_enc AS "piiEnc", (w.pii AND w.pii_granted_at <= e.occurred_at) AS "piiGranted", c.attempts, c.created_at AS "createdAt"
         FROM claimed c JOIN webhooks w ON w.id = c.webhook_id JOIN outbox_events e ON e.id = c.event_id`,
      [limit],
    );
  }

  async recordAttempt(attempt: Omit<AttemptRow, 'attemptedAt'>): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_attempts (delivery_id, status_code, duration_ms, error, response_excerpt, pii_unmasked) VALUES ($1, $2, $3, $4, $5, $6)`,
      [attempt.deliveryId, attempt.statusCode, attempt.durationMs, attempt.error, attempt.responseExcerpt, attempt.piiUnmasked],
    );
  }

  async markDelivered(id: string): Promise<void> {
    await this.db.query(`UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), leased_until = NULL WHERE id = $1`, [id]);
  }

  async scheduleRetry(id: string, delayMs: number): Promise<void> {
    await this.db.query(`UPDATE webhook_deliveries SET next_attempt_at = now() + $2 * interval '1 millisecond', leased_until = NULL WHERE id = $1`, [id, delayMs]);
  }

  async markFailed(id: string): Promise<void> {
    await this.db.query(`UPDATE webhook_deliveries SET status = 'failed', leased_until = NULL WHERE id = $1`, [id]);
  }

  /** Returns whether this call disabled it (it was active). */
  async disable(id: string, reason: string): Promise<boolean> {
    const [, n]: [unknown, number] = await this.db.query(
      `UPDATE webhooks SET active = false, disabled_reason = $2, disabled_at = now(), updated_at = now(), version = version + 1 WHERE id = $1 AND active`,
      [id, reason.slice(0, 500)],
    );
    return n > 0;
  }

  /** A page of an endpoint's deliveries, newest first. */
  async deliveries(webhookId: string, beforeSeq: string | undefined, limit: number): Promise<DeliveryRow[]> {
    return this.db.query(
      `SELECT d.id, d.seq::text AS seq, d.event_id AS "eventId", e.event, e.entity_type AS "entityType", e.entity_id AS "entityId", d.status,
              d.attempts, d.next_attempt_at AS "nextAttemptAt", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt"
         FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
        WHERE d.webhook_id = $1 AND ($2::bigint IS NULL OR d.seq < $2::bigint)
        ORDER BY d.seq DESC LIMIT $3`,
      [webhookId, beforeSeq ?? null, limit],
    );
  }

  /** The latest `perDelivery` attempts of each delivery, newest first: one query for the page. */
  async attemptsOf(deliveryIds: string[], perDelivery: number): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return this.db.query(
      `SELECT a.delivery_id AS "deliveryId", a.attempted_at AS "attemptedAt", a.status_code AS "statusCode", a.duration_ms AS "durationMs",
              a.error, a.response_excerpt AS "responseExcerpt", a.pii_unmasked AS "piiUnmasked"
         FROM unnest($1::uuid[]) AS ids(id)
         CROSS JOIN LATERAL (SELECT * FROM webhook_attempts x WHERE x.delivery_id = ids.id ORDER BY x.id DESC LIMIT $2) a
        ORDER BY a.delivery_id, a.id DESC`,
      [deliveryIds, perDelivery],
    );
  }

  /** Puts a delivery back in the queue, due now; undefined when the endpoint has no such delivery. */
  async requeue(webhookId: string, deliveryId: string): Promise<string | undefined> {
    const [[row]]: [{ id: string }[]] = await this.db.query(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), created_at = CASE WHEN status = 'pending' THEN created_at ELSE now() END
        WHERE id = $1 AND webhook_id = $2 RETURNING id`,
      [deliveryId, webhookId],
    );
    return row?.id;
  }

  async delivery(webhookId: string, deliveryId: string): Promise<DeliveryRow | undefined> {
    const [row]: DeliveryRow[] = await this.db.query(
      `SELECT d.id, d.seq::text AS seq, d.event_id AS "eventId", e.event, e.entity_type AS "entityType", e.entity_id AS "entityId", d.status,
              d.attempts, d.next_attempt_at AS "nextAttemptAt", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt"
         FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE d.id = $1 AND d.webhook_id = $2`,
      [deliveryId, webhookId],
    );
    return row;
  }

  /**
   * Forgets finished deliveries (and their attempts) after `days`, then dispatched events no
   * delivery refers to any more. Bounded per run; the job runs again.
   */
  async purgeOlderThan(days: number, batch: number): Promise<{ deliveries: number; events: number }> {
    const [{ deliveries }]: { deliveries: number }[] = await this.db.query(
      `WITH old AS (SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - $1 * interval '1 day' LIMIT $2),
            gone AS (DELETE FROM webhook_deliveries d USING old WHERE d.id = old.id RETURNING 1)
       SELECT count(*)::int AS deliveries FROM gone`,
      [days, batch],
    );
    const [{ events }]: { events: number }[] = await this.db.query(
      `WITH old AS (SELECT e.id FROM outbox_events e WHERE e.dispatched_at < now() - $1 * interval '1 day'
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) LIMIT $2),
            gone AS (DELETE FROM outbox_events o USING old WHERE o.id = old.id RETURNING 1)
       SELECT count(*)::int AS events FROM gone`,
      [days, batch],
    );
    return { deliveries, events };
  }
}
