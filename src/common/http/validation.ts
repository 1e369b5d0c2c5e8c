import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '../errors/domain-error';

/** Deeper than any request the API defines; deeper input would only exercise the recursion of the transformer. */
export const MAX_INPUT_DEPTH = 16;

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first problem that no field of any route accepts: a NUL character (PostgreSQL cannot store
 * it in text), an unpaired UTF-16 surrogate (not Unicode: it cannot be encoded as UTF-8), or
 * nesting deeper than MAX_INPUT_DEPTH. Walks without recursion, so no input can exhaust the stack.
 */
export function hostileInputProblem(value: unknown, root: string): FieldError | undefined {
  const pending: { value: unknown; field: string; depth: number }[] = [{ value, field: root, depth: 0 }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (typeof item.value === 'string') {
      if (item.value.includes('\0')) return { field: item.field, message: `${item.field || 'value'} must not contain the NUL character (\\u0000)` };
      if (UNPAIRED_SURROGATE.test(item.value)) return { field: item.field, message: `${item.field || 'value'} must be valid Unicode (it has an unpaired surrogate)` };
    } else if (item.value !== null && typeof item.value === 'object') {
      if (item.depth >= MAX_INPUT_DEPTH) return { field: item.field, message: `${item.field || 'value'} is nested too deeply` };
      for (const [key, child] of Object.entries(item.value)) {
        const name = Array.isArray(item.value) ? `${item.field}[${key}]` : item.field ? `${item.field}.${key}` : key;
        pending.push({ value: key, field: name, depth: item.depth + 1 }, { value: child, field: name, depth: item.depth + 1 });
      }
    }
  }
  return undefined;
}

/** Checks every string of a body, query or path before class-transformer and class-validator see it. */
class HostileInputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const problem = hostileInputProblem(value, metadata.type === 'param' && metadata.data ? metadata.data : '');
      if (problem) throw new DomainError('VALIDATION_FAILED', problem.message, { errors: [problem] });
    }
    return super.transform(value, metadata);
  }
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Unknown fields are refused, not dropped; every failure names its field. */
export function createValidationPipe(): ValidationPipe {
  return new HostileInputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      const detail = fieldErrors.slice(0, 3).map((e) => e.message).join('; ') + (fieldErrors.length > 3 ? '; …' : '');
      return new DomainError('VALIDATION_FAILED', detail, { errors: fieldErrors });
    },
  });
}
