import { applyDecorators, CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, map, Observable } from 'rxjs';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError } from '../../common/errors/domain-error';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, idempotencyKeyProblem, REPLAYED_HEADER, requestFingerprint } from './idempotency.rules';
import { IdempotencyService } from './idempotency.service';

/** The `Idempotent-Replayed` header of a creating route's success response, for its ApiCreatedResponse. */
export const IDEMPOTENT_REPLAY_HEADERS = {
  [REPLAYED_HEADER]: {
    description: 'true when this is the stored answer to an earlier request with the same Idempotency-Key and body (nothing new was created)',
    schema: { type: 'string' as const, enum: ['true'], maxLength: 4 },
  },
};

/**
 * Runs the handler once per (caller, Idempotency-Key) when the header is sent: see IdempotencyService.
 * The handler's service joins the transaction opened here, so the stored answer commits with the creation.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined || !request.user) return next.handle();
    const problem = idempotencyKeyProblem(key);
    if (problem) throw new DomainError('VALIDATION_FAILED', problem, { errors: [{ field: 'Idempotency-Key', message: problem }] });
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const hash = requestFingerprint({ method: request.method, route: request.routeOptions?.url ?? request.url, params: request.params, body: request.body });
    const answer = this.idempotency.run(request.user.id, key as string, hash, async () => ({ status, body: await lastValueFrom(next.handle(), { defaultValue: null }) }));
    return from(answer).pipe(
      map((a) => {
        if (a.replayed) void http.getResponse<FastifyReply>().header(REPLAYED_HEADER, 'true');
        return a.body;
      }),
    );
  }
}

/** Makes a creating POST idempotent under the `Idempotency-Key` header, and says so in the contract. */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, pattern: '^[\\x21-\\x7E]+$' },
      description:
        'Any unique string of yours (a UUID is good), 1–255 visible ASCII characters. A retry with the same key and body within 24 hours ' +
        'creates nothing and gets the first answer again, with Idempotent-Replayed: true',
    }),
    ApiConflictResponse({ type: ProblemDto, description: 'IDEMPOTENCY_IN_PROGRESS: the first request with this Idempotency-Key is still running; retry after Retry-After seconds' }),
    ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with a different request in the last 24 hours' }),
  );
