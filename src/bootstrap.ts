import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { AppModule, Runtime } from './app.module';
import { Drain, DRAIN_RETRY_AFTER_SECONDS } from './common/http/drain';
import { ERROR_CATALOG, problemType } from './common/errors/error-codes';
import { JwtKeys } from './common/auth/jwt-keys';
import { rateLimitOptions, rateLimitPolicy } from './common/http/rate-limit';
import { Metrics } from './common/metrics/metrics';
import { installMetrics } from './common/metrics/metrics-route';
import { requestIdFor } from './common/http/request-id';
import { securityHeaders } from './common/http/security-headers';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { runInRequestContext } from './common/request-context';
import { AppConfig } from './config/config';
import { buildOpenApiDocument } from './openapi/openapi';

export const API_PREFIX = 'api/v1';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
}


/**
 * Fastify's own form of a hop count (the Nest adapter's type leaves numbers out): the socket's
 * peer is hop 0, then X-Forwarded-For from the right; the first untrusted one is the client.
 */
function trustProxyOption(setting: AppConfig['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/** Builds the HTTP application (not yet listening). Used by main, the tests and the contract generator. */
export async function createApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const { config } = runtime;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: (req: IncomingMessage) => requestIdFor(req),
    // Fastify's own pino logger: JSON lines, each request's carrying its reqId.
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(runtime), adapter, {
    // One logger for every line: Nest's own (start-up, jobs) go through Fastify's pino too.
    logger: config.logLevel === 'silent' ? false : new PinoNestLogger(adapter.getInstance().log),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const policy = rateLimitPolicy(config.rateLimit);
  const drain = app.get(Drain);
  // First of all hooks: a draining instance takes no new work, and counts the requests it still owes an answer.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (drain.draining) {
      const { status, title } = ERROR_CATALOG.SHUTTING_DOWN;
      void reply
        .header('connection', 'close')
        .header('retry-after', String(DRAIN_RETRY_AFTER_SECONDS))
        .header('x-request-id', request.id)
        .status(status)
        .type('application/problem+json')
        .send({ type: problemType('SHUTTING_DOWN'), title, status, detail: 'This instance is shutting down; send the request again', code: 'SHUTTING_DOWN', correlationId: request.id });
      return;
    }
    reply.raw.once('close', drain.enter());
    done();
  });
  // Helmet's headers, computed once (see security-headers.ts), with the request id and the rate-limit policy.
  const headers = securityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers);
    void reply.header('x-request-id', request.id);
    void reply.header('ratelimit-policy', policy);
    done();
  });
  // After the body is read (stream callbacks would lose the context), right before Nest's handler.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const agent = request.headers['user-agent'];
    runInRequestContext({ requestId: request.id, ip: request.ip, userAgent: typeof agent === 'string' ? agent : undefined }, done);
  });
  // Before the routes are registered (app.init), so that every route gets the limit.
  const metrics = app.get(Metrics);
  await app.register(
    rateLimit,
    rateLimitOptions(config.rateLimit, app.get(JwtKeys), (key) => metrics.rateLimitRefused(key.startsWith('user:') ? 'user' : 'address')),
  );
  installMetrics(fastify, metrics, config.metricsToken);
  // Attachments arrive as multipart/form-data, streamed: one file part per request, its size capped
  // (past it the part is cut off and the upload answered 413). @fastify/busboy reads raw UTF-8 file names as UTF-8
  // (Chinese names arrive intact, test/attachments.e2e-spec.ts), so there is no defParamCharset to set.
  // A request answered before its body was read to the end (an upload refused 503 BUSY, 404 or 415
  // before its file was read) closes its connection: the client may never send the rest, and a
  // connection waiting for it kept the instance's close waiting (over 60 s in the attachment tests).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) void reply.header('connection', 'close');
    done(null, payload);
  });
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: config.attachmentMaxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 },
  });
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'],
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'health/live', 'health/ready'] });
  const document = buildOpenApiDocument(app, packageVersion());
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    swaggerUiEnabled: config.swaggerUi,
    customSiteTitle: 'CRM API',
  });
  await app.init();
  return app;
}
