import type { Server } from 'node:http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Drain } from './common/http/drain';
import { JobScheduler } from './common/jobs/job-scheduler';

export interface DrainOutcome {
  /** Requests still running when the drain time ran out (their connections were closed). */
  cutOff: number;
}

/**
 * The shutdown of one instance: stop accepting connections, answer what still arrives on open
 * connections with 503 SHUTTING_DOWN and `Connection: close`, let the requests in flight finish
 * (downloads included) and the running job finish or give up, all within `drainMs`; then close
 * what is left, the application and its pool. The caller stops an embedded PostgreSQL after this.
 */
export async function drainAndClose(app: NestFastifyApplication, drainMs: number): Promise<DrainOutcome> {
  const drain = app.get(Drain);
  drain.begin();
  const server = app.getHttpServer() as Server;
  // Stops listening and (Node ≥ 19) closes the idle keep-alive connections; busy ones end with their response.
  if (server.listening) server.close(() => undefined);
  const [settled] = await Promise.all([drain.settled(drainMs), app.get(JobScheduler).stop(drainMs)]);
  const cutOff = settled ? 0 : drain.requestsInFlight;
  // A download cut here ends without its last chunk, which clients see as an incomplete body;
  // the audit log's export resumes with afterId = the id of the last complete line.
  if (!settled) server.closeAllConnections();
  else server.closeIdleConnections();
  await app.close();
  return { cutOff };
}
