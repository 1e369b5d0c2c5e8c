import { ValidateBy, ValidationOptions } from 'class-validator';

/** The largest value of a PostgreSQL integer (int4) column, and so of any integer the API accepts. */
export const INT32_MAX = 2_147_483_647;

/**
 * A finite number with at most `places` decimals, as a numeric(p, places) column stores it.
 * class-validator's maxDecimalPlaces throws on exponent forms such as 1e-7; this does not.
 */
export function hasAtMostDecimals(value: unknown, places: number): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) >= 1e15) return false;
  // toFixed rounds to the column's scale; a value that survives unchanged has no more decimals than that.
  return Number(value.toFixed(places)) === value;
}

export const IsDecimal = (places: number, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isDecimal',
      constraints: [places],
      validator: {
        validate: (value) => hasAtMostDecimals(value, places),
        defaultMessage: () => `$property must be a number with at most ${places} decimal places`,
      },
    },
    options,
  );
