import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * An optional field: it may be left out, but when it is sent it is validated, `null` included.
 * class-validator's own IsOptional also skips `null`, which let `{"name": null}` through to the
 * service and the database (a 500). Fields where `null` means something (a tier criterion
 * removed) say so with class-validator's IsOptional and `nullable: true` in the contract.
 */
export function IsOptional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
