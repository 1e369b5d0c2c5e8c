import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ERROR_CATALOG, problemType } from '../errors/error-codes';
import type { Metrics } from './metrics';

/** Where Prometheus scrapes: at the root, beside /health, outside /api/v1 and outside the OpenAPI contract. */
export const METRICS_PATH = '/metrics';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * When a token is configured: every response's duration into the histogram, by route template
 * (`/api/v1/customers/:id`, never the path with its ids) and status class, and GET /metrics for
 * whoever presents the token. Without a token there is no route (404): the figures are never public
 * by default.
 * Not rate limited (the scraper has no user token), not in the contract (an operator's endpoint).
 */
export function installMetrics(fastify: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  // Nobody can read the histogram without a token: then it costs the requests nothing either.
  if (token === undefined) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  const expected = digest(`Bearer ${token}`);
  fastify.get(METRICS_PATH, { config: { rateLimit: false } }, async (request, reply) => {
    const presented = request.headers.authorization;
    // Compared as digests: same length, constant time, whatever was sent.
    if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), expected)) {
      const { status, title } = ERROR_CATALOG.UNAUTHENTICATED;
      return reply
        .status(status)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('application/problem+json')
        .send({ type: problemType('UNAUTHENTICATED'), title, status, detail: 'GET /metrics needs the METRICS_TOKEN bearer token', code: 'UNAUTHENTICATED', correlationId: request.id });
    }
    const { contentType, body } = await metrics.exposition();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
