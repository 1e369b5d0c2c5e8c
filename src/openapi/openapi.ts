import { INestApplication } from '@nestjs/common';
import { RETRY_AFTER_HEADER } from '../common/http/openapi-responses';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from '../common/errors/problem.dto';
import { DATE_MAX_LENGTH, DATE_TIME_MAX_LENGTH } from '../common/http/dates';
import { CORS_ORIGIN_MAX_LENGTH, RATE_LIMIT_BURST_MAX } from '../config/config';
import { WebhookEventDto } from '../modules/webhooks/dto/webhook.dto';

export const PUBLIC_EXTENSION = 'x-public';

const PROBLEM_RESPONSES: Record<string, string> = {
  '400': 'The request is not valid (VALIDATION_FAILED names each field in errors[])',
  '401': 'Missing, expired or invalid bearer token (UNAUTHENTICATED)',
  '403': 'Your role may not call this operation (FORBIDDEN)',
  '404': 'Not found, or not visible to you (NOT_FOUND)',
  '429': 'Too many requests from this token (or, without one, this address): RATE_LIMITED; wait Retry-After seconds',
  '500': 'Unexpected error (INTERNAL_ERROR); quote correlationId when reporting it',
  '503':
    'Retry after Retry-After seconds. BUSY: no database connection came free in time, or the request ran over its time limit. ' +
    'DATABASE_UNAVAILABLE: the database is unreachable (an outage, a restart, a failover); the request changed nothing, except when ' +
    'detail says the connection was lost while committing: then read the record back before repeating the change. ' +
    'SHUTTING_DOWN: this instance is draining for a restart (sent with Connection: close); another instance answers the retry',
};

/** Every operation may answer these, public ones included. */
const ALWAYS = ['400', '429', '500', '503'];

type HeadersObject = NonNullable<NonNullable<OpenAPIObject['components']>['headers']>;

const integerHeader = (description: string, maximum: number) => ({ description, schema: { type: 'integer' as const, format: 'int32', minimum: 0, maximum } });

/**
 * Headers the service sends on every answer, whatever the route or status: @fastify/rate-limit
 * (enableDraftSpec) sets RateLimit-Limit/-Remaining/-Reset in its onRequest hook, bootstrap adds
 * RateLimit-Policy, and @fastify/cors adds Access-Control-Allow-Origin when it applies. Declared
 * once under components.headers and referenced from each response.
 */
const RESPONSE_HEADERS: HeadersObject = {
  'RateLimit-Limit': integerHeader('Requests this token (or, without one, this client address) may make in the current window, on this instance (RATE_LIMIT_BURST)', RATE_LIMIT_BURST_MAX),
  'RateLimit-Remaining': integerHeader('Requests left in the current window (0 on a 429)', RATE_LIMIT_BURST_MAX),
  'RateLimit-Reset': integerHeader('Seconds until the current window ends', RATE_LIMIT_BURST_MAX),
  'RateLimit-Policy': {
    description: 'The limit as `burst;w=window seconds` (IETF draft ratelimit headers)',
    schema: { type: 'string', pattern: '^[0-9]{1,7};w=[0-9]{1,7}$', maxLength: 17 },
  },
  'Access-Control-Allow-Origin': {
    description:
      "Sent only when CORS_ORIGINS is configured and the request's Origin is one of them: that origin, echoed. " +
      'Without CORS_ORIGINS (the default) no CORS header is sent and browsers on other origins cannot read answers.',
    schema: { type: 'string', format: 'uri', maxLength: CORS_ORIGIN_MAX_LENGTH },
  },
};
const RESPONSE_HEADER_REFS = Object.fromEntries(Object.keys(RESPONSE_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]));

/** Headers of the problem responses that ask the client to come back later. */
const PROBLEM_HEADERS: Record<string, HeadersObject> = {
  '429': { 'Retry-After': RETRY_AFTER_HEADER },
  '503': { 'Retry-After': RETRY_AFTER_HEADER },
};

/** Lengths the format validators enforce (IsUUID, IsRfc3339DateTime, IsCalendarDate), written into the contract. */
const FORMAT_MAX_LENGTH: Record<string, number> = { uuid: 36, 'date-time': DATE_TIME_MAX_LENGTH, date: DATE_MAX_LENGTH };

function withFormatLengths(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(withFormatLengths);
  if (!schema || typeof schema !== 'object') return;
  const record = schema as Record<string, unknown>;
  if (record.type === 'string' && typeof record.format === 'string' && record.maxLength === undefined && FORMAT_MAX_LENGTH[record.format]) {
    record.maxLength = FORMAT_MAX_LENGTH[record.format];
  }
  Object.values(record).forEach(withFormatLengths);
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/**
 * The wire format of a bounded integer, read off its bounds: int32 when they fit in an int4 column
 * (all of ours do), int64 otherwise. An integer without bounds gets none, so the linters still flag it.
 */
function withIntegerFormats(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(withIntegerFormats);
  if (!schema || typeof schema !== 'object') return;
  const record = schema as Record<string, unknown>;
  if (record.type === 'integer' && record.format === undefined && typeof record.minimum === 'number' && typeof record.maximum === 'number') {
    record.format = record.minimum >= INT32_MIN && record.maximum <= INT32_MAX ? 'int32' : 'int64';
  }
  Object.values(record).forEach(withIntegerFormats);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * The contract, built the same way for /openapi.json and for openapi/openapi.json: every operation
 * gets bearer security (unless public) and the problem+json error responses; keys are sorted so
 * the file only changes when the API does.
 */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('CRM API')
    .setDescription(
      'Customer-management REST API. Authenticate with POST /api/v1/auth/login and send the token as ' +
        '`Authorization: Bearer <token>`. Every error is application/problem+json with a stable `code`. ' +
        'Requests are limited per token (per client address without one) and per instance; every answer carries ' +
        'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and RateLimit-Policy (IETF draft ratelimit headers), ' +
        'and going over the limit answers 429 RATE_LIMITED with Retry-After. ' +
        'A 503 (BUSY, DATABASE_UNAVAILABLE, SHUTTING_DOWN) is never the caller\'s fault: keep the token, wait Retry-After seconds and ' +
        'retry (reads freely; a change after reading it back when detail says the commit\'s outcome is unknown).',
    )
    .setVersion(version)
    .setLicense('Proprietary', 'https://crm.example.com/license')
    .addServer('/', 'The instance serving this document, whichever environment it runs in (local, staging or production): paths are relative to it')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'The accessToken from POST /api/v1/auth/login: a JWS following the JWT best current practices of RFC8725 ' +
          '(only HS256 accepted, never "none"; issuer, audience and expiry always checked; lifetime JWT_EXPIRES_IN_SECONDS, at most a day).',
      },
      'bearer',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
    extraModels: [ProblemDto, WebhookEventDto],
  });
  const problemRef = { $ref: '#/components/schemas/ProblemDto' };
  document.components ??= {};
  document.components.responses = Object.fromEntries(
    Object.entries(PROBLEM_RESPONSES).map(([status, description]) => [
      `Problem${status}`,
      { description, headers: { ...RESPONSE_HEADER_REFS, ...PROBLEM_HEADERS[status] }, content: { 'application/problem+json': { schema: problemRef } } },
    ]),
  );
  document.components.headers = { ...document.components.headers, ...RESPONSE_HEADERS };
  // Every environment serves the same contract to the staff tools and integrations that use it; nothing in it is hidden.
  for (const server of document.servers ?? []) (server as unknown as Record<string, unknown>)['x-internal'] = false;
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = pathItem[method];
      if (!operation) continue;
      const isPublic = (operation as unknown as Record<string, unknown>)[PUBLIC_EXTENSION] === true;
      delete (operation as unknown as Record<string, unknown>)[PUBLIC_EXTENSION];
      operation.security = isPublic ? [] : [{ bearer: [] }];
      for (const parameter of (operation.parameters ?? []) as { in: string; name: string; schema?: Record<string, unknown> }[]) {
        // Every :id is read through IdParam, which accepts a UUID only.
        if (parameter.in === 'path' && parameter.name === 'id') parameter.schema = { type: 'string', format: 'uuid', maxLength: 36 };
      }
      const statuses = isPublic ? ALWAYS : Object.keys(PROBLEM_RESPONSES);
      for (const status of statuses) {
        operation.responses[status] ??= { $ref: `#/components/responses/Problem${status}` };
      }
      // Problem responses declared on the route itself are problem+json too.
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || '$ref' in response) continue;
        response.headers = { ...RESPONSE_HEADER_REFS, ...(status === '429' || status === '503' ? { 'Retry-After': RETRY_AFTER_HEADER } : {}), ...response.headers };
        const content = (response as { content?: Record<string, unknown> }).content;
        if (Number(status) >= 400 && content?.['application/json']) {
          content['application/problem+json'] = content['application/json'];
          delete content['application/json'];
        }
      }
    }
  }
  withFormatLengths(document);
  withIntegerFormats(document);
  document.tags = [
    { name: 'auth', description: 'Log in and find out who you are' },
    { name: 'users', description: 'Staff accounts and their roles' },
    { name: 'departments', description: 'Departments that users belong to' },
    { name: 'customers', description: 'Customer records (客户档案), visibility by role, duplicates, dormancy, consent' },
    { name: 'contacts', description: 'Contacts of customers; personal data encrypted at rest, masked by role' },
    { name: 'interactions', description: 'Interaction records (联系记录)' },
    { name: 'tags', description: 'The tag framework (标签体系) and tags on customers' },
    { name: 'tiers', description: 'Tiers (客户分层), contact cadence and tier evaluation' },
    { name: 'complaints', description: 'Complaints (投诉): working-day deadlines, flow, escalation, follow-up, metrics' },
    { name: 'requests', description: 'Customer requests (需求、建议、咨询、问题): dispatch, flow, response clocks in working time, metrics' },
    { name: 'approvals', description: 'Approvals (审批): deletion, merge, export and transfer requests, decided step by step' },
    { name: 'transfers', description: 'Customer handover (在职移交) and succession after a departure (离职继承)' },
    { name: 'exports', description: 'Approved exports of customer data (对外提供需审批)' },
    { name: 'calendar', description: 'The business calendar (工作日): holidays and make-up working days' },
    { name: 'audit', description: 'The append-only, hash-chained audit log' },
    { name: 'webhooks', description: 'Events pushed to integrators (signed per Standard Webhooks; the body is the WebhookEventDto schema), their deliveries and attempts' },
    { name: 'health', description: 'Liveness and readiness' },
  ];
  return sortKeys(document) as OpenAPIObject;
}
