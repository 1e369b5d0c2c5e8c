/**
 * The ceiling the benchmark compares against: fastify and pg, nothing else (no auth, no scoping,
 * no validation, no Nest), serving the customer by id with the same query the service starts
 * from. Started by bench.ts as a child process: BARE_DATABASE_URL, BARE_POOL_SIZE; it listens on a
 * free port and tells its parent which.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { chainHash, type ChainedEntry } from '../src/modules/audit/audit.rules';

const pool = new Pool({ connectionString: process.env.BARE_DATABASE_URL, max: Number(process.env.BARE_POOL_SIZE ?? 10) });
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/customers/:id', async (request, reply) => {
  const { rows } = await pool.query('SELECT * FROM customers WHERE id = $1', [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ status: 404 });
  return rows[0];
});

/**
 * The write ceiling: the same interaction insert and customer update as the service, and the same
 * chained audit append (head locked, hash computed, entry + entity index + head in one statement),
 * in one transaction; no auth, no validation, no access check.
 */
app.post<{ Params: { id: string }; Body: { occurredAt: string; channel: string; summary: string } }>('/customers/:id/interactions', async (request, reply) => {
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    const { rows: customers } = await db.query('SELECT owner_id FROM customers WHERE id = $1', [request.params.id]);
    if (customers.length === 0) {
      await db.query('ROLLBACK');
      return reply.code(404).send({ status: 404 });
    }
    const author = customers[0].owner_id as string;
    const { rows } = await db.query(
      `INSERT INTO interactions (customer_id, author_id, occurred_at, channel, summary) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [request.params.id, author, request.body.occurredAt, request.body.channel, request.body.summary],
    );
    await db.query(`UPDATE customers SET last_interaction_at = greatest(last_interaction_at, $2::timestamptz) WHERE id = $1`, [request.params.id, request.body.occurredAt]);
    const { rows: heads } = await db.query(
      `SELECT last_id::text AS "lastId", last_hash AS "lastHash", greatest(last_occurred_at, date_trunc('milliseconds', clock_timestamp())) AS at
         FROM audit_chain_head WHERE id = 1 FOR UPDATE`,
    );
    const entry: ChainedEntry = {
      id: (BigInt(heads[0].lastId) + 1n).toString(),
      occurredAt: (heads[0].at as Date).toISOString(),
      actorId: author,
      actorRole: 'sales',
      action: 'interaction.create',
      entityType: 'interaction',
      entityId: rows[0].id,
      before: null,
      after: { summary: request.body.summary, channel: request.body.channel },
      changedFields: ['channel', 'summary'],
      reason: null,
      requestId: String(request.id),
      ip: request.ip,
      userAgent: null,
    };
    const hash = chainHash(heads[0].lastHash, entry);
    await db.query(
      `WITH appended AS (
         INSERT INTO audit_log (id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after, changed_fields, reason, request_id, ip, user_agent, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, NULL, $10, $11, NULL, $12, $13) RETURNING id, occurred_at),
       indexed AS (INSERT INTO audit_entity_index (entity_type, entity_id, occurred_at, audit_id, action) SELECT $6, $7, occurred_at, id, $5 FROM appended)
       UPDATE audit_chain_head SET last_id = $1, last_hash = $13, last_occurred_at = $2 WHERE id = 1`,
      [entry.id, entry.occurredAt, entry.actorId, entry.actorRole, entry.action, entry.entityType, entry.entityId, entry.after, entry.changedFields, entry.requestId, entry.ip, heads[0].lastHash, hash],
    );
    await db.query('COMMIT');
    return reply.code(201).send(rows[0]);
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
});

app.listen({ port: 0, host: '127.0.0.1' }).then(() => {
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('disconnect', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
