/**
 * The ceiling the benchmark compares against: fastify and pg, nothing else (no auth, no scoping,
 * no validation, no Nest), serving the customer by id with the same query the service starts
 * from. Started by bench.ts as a child process: BARE_DATABASE_URL, BARE_POOL_SIZE; it listens on a
 * free port and tells its parent which.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.BARE_DATABASE_URL, max: Number(process.env.BARE_POOL_SIZE ?? 10) });
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/customers/:id', async (request, reply) => {
  const { rows } = await pool.query('SELECT * FROM customers WHERE id = $1', [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ status: 404 });
  return rows[0];
});

app.listen({ port: 0, host: '127.0.0.1' }).then(() => {
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('disconnect', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
