import { ERROR_CATALOG, ErrorCode, problemType } from './error-codes';
import type { FieldError } from './domain-error';

/**
 * How long the parts of a problem+json answer can be. detail and the field errors may quote what
 * the client sent (an unknown property's name, say), so the filter cuts them to these; title, type
 * and code come from the catalogue, which a unit test keeps within theirs.
 */
export const PROBLEM_LIMITS = {
  type: 200,
  title: 200,
  code: 50,
  detail: 2000,
  errors: 100,
  field: 300,
  message: 500,
  /** X-Request-Id: a UUID, or at most 64 safe characters (see request-id.ts). */
  correlationId: 64,
} as const;

/** `text`, or its first max - 1 characters and an ellipsis; never splits a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

export function boundedFieldErrors(errors: FieldError[] | undefined): FieldError[] | undefined {
  return errors
    ?.slice(0, PROBLEM_LIMITS.errors)
    .map((error) => ({ field: clip(error.field, PROBLEM_LIMITS.field), message: clip(error.message, PROBLEM_LIMITS.message) }));
}

/** The catalogue entries that would not fit the bounds the contract states (a unit test wants none). */
export function catalogueOutOfBounds(): string[] {
  return (Object.keys(ERROR_CATALOG) as ErrorCode[]).filter(
    (code) => code.length > PROBLEM_LIMITS.code || ERROR_CATALOG[code].title.length > PROBLEM_LIMITS.title || problemType(code).length > PROBLEM_LIMITS.type,
  );
}
