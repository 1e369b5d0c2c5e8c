import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { busyError } from './busy-errors';
import { domainErrorFromDatabase } from './constraint-errors';
import { DomainError, FieldError } from './domain-error';
import { ERROR_CATALOG, ErrorCode, problemType } from './error-codes';
import { outageError } from './outage-errors';
import { boundedFieldErrors, clip, PROBLEM_LIMITS } from './problem-limits';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'MALFORMED_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

interface Problem {
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  extras?: Record<string, unknown>;
}

/** Turns anything thrown into application/problem+json; stack traces stay in the log. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(exception);
    const { status, title } = ERROR_CATALOG[problem.code];
    const errors = boundedFieldErrors(problem.errors);
    if (status >= 500) this.logger.error({ err: exception, reqId: request.id }, 'request failed');
    for (const [name, value] of Object.entries(problem.headers ?? {})) void reply.header(name, value);
    void reply
      .status(status)
      .type('application/problem+json')
      .send({
        type: problemType(problem.code),
        title,
        status,
        detail: clip(problem.detail, PROBLEM_LIMITS.detail),
        code: problem.code,
        ...(errors ? { errors } : {}),
        ...problem.extras,
        correlationId: request.id,
      });
  }

  private toProblem(thrown: unknown): Problem {
    // An outage is classified here, whatever stage it hit (authentication, access check, use case, commit).
    const exception = busyError(thrown) ?? outageError(thrown) ?? domainErrorFromDatabase(thrown) ?? thrown;
    if (exception instanceof DomainError) {
      const { errors, headers, ...extras } = exception.extras;
      return { code: exception.code, detail: exception.detail, errors, headers, extras };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'MALFORMED_REQUEST');
      return { code, detail: status >= 500 ? 'An unexpected error occurred' : this.httpDetail(exception, code) };
    }
    // Errors raised by Fastify itself (unparsable JSON, body too large, wrong content type) carry a statusCode.
    const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      const code = CODE_BY_STATUS[statusCode] ?? 'MALFORMED_REQUEST';
      return { code, detail: (exception as Error).message ?? ERROR_CATALOG[code].title };
    }
    return { code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred' };
  }

  private httpDetail(exception: HttpException, code: ErrorCode): string {
    if (code === 'NOT_FOUND') return 'No such resource';
    if (code === 'UNAUTHENTICATED') return 'A valid bearer token is required';
    return exception.message;
  }
}
