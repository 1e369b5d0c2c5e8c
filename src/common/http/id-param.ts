import { Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/** A path id that must be a UUID; anything else is a 400 naming the parameter. */
export const IdParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new DomainError('VALIDATION_FAILED', `${name} must be a UUID`, { errors: [{ field: name, message: `${name} must be a UUID` }] }),
    }),
  );
