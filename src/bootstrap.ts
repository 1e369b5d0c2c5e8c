import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, Runtime } from './app.module';
import { assignRequestId, RequestWithId } from './common/http/request-id';
import { buildOpenApiDocument } from './openapi/openapi';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const API_PREFIX = 'api/v1';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the HTTP application (not yet listening). Used by main, the tests and the contract generator. */
export async function createApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const { config } = runtime;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (req: unknown) => assignRequestId(req as RequestWithId),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(runtime), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`, `'unsafe-inline'`],
      },
    },
  });
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health'] });
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
