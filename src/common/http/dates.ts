import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The only date forms the API reads: RFC 3339 date-times (`2026-03-01T09:30:00Z`,
 * `2026-03-01T09:30:00.250+08:00`) and calendar dates (`2026-03-01`). ISO 8601's other forms
 * (week dates, ordinal dates, basic format, 24:00) are refused, as are impossible calendar days
 * and years outside 1900–2200, so nothing the validator lets through can surprise Date or PostgreSQL.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;
/** `2026-03-01T09:30:00.123456789+08:00`: the longest date-time accepted. */
export const DATE_TIME_MAX_LENGTH = 35;
export const DATE_MAX_LENGTH = 10;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

function isRealDay(year: number, month: number, day: number): boolean {
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isRfc3339DateTime(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > DATE_TIME_MAX_LENGTH) return false;
  const m = DATE_TIME.exec(value);
  if (m === null || !isRealDay(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  // No 24:00 and no leap second: Date cannot represent :60, PostgreSQL rolls it over.
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  if (m[7] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return true;
}

export const IsCalendarDate = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: () => `$property must be a date like 2026-03-01 (a real day, years ${MIN_YEAR}–${MAX_YEAR})`,
      },
    },
    options,
  );

export const IsRfc3339DateTime = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isRfc3339DateTime',
      validator: {
        validate: isRfc3339DateTime,
        defaultMessage: () =>
          `$property must be an RFC 3339 date-time like 2026-03-01T09:30:00Z or 2026-03-01T09:30:00+08:00 (years ${MIN_YEAR}–${MAX_YEAR})`,
      },
    },
    options,
  );
