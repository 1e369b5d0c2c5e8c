/** class-transformer @Transform functions shared by the request DTOs. */
type Input = { value: unknown };

export const trim = ({ value }: Input) => (typeof value === 'string' ? value.trim() : value);
export const lowerTrim = ({ value }: Input) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
export const upperTrim = ({ value }: Input) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

/** Query strings carry booleans as text; anything else is left for the validator to refuse. */
export const toBoolean = ({ value }: Input) => (value === 'true' ? true : value === 'false' ? false : value);

/** `?ids=a&ids=b` arrives as an array, `?ids=a,b` as one string: both become a list. */
export const toIdList = ({ value }: Input) =>
  typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;
