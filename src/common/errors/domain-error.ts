import { ErrorCode } from './error-codes';

export interface FieldError {
  field: string;
  message: string;
}

/** What services throw. One exception filter turns it into application/problem+json. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; [key: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} was not found`);
export const forbidden = (detail = 'Your role does not allow this action') => new DomainError('FORBIDDEN', detail);
