/**
 * Working-time arithmetic for a Chinese business calendar (工作日).
 *
 * Pure functions only: no I/O, no framework imports. Time zones are handled with the
 * built-in `Intl` API, so zones with daylight-saving time (e.g. 'Europe/Berlin') work too.
 *
 * Local dates are 'YYYY-MM-DD' strings; local clock times are minutes since local midnight.
 */

/** Overrides of the Monday–Friday rule, by local date 'YYYY-MM-DD': 'holiday' makes a weekday a rest day, 'workday' makes a weekend day a working day (调休). */
export type CalendarOverrides = ReadonlyMap<string, 'holiday' | 'workday'>;

export interface WorkingTimeSettings {
  /** IANA time zone, e.g. 'Asia/Shanghai'. */
  timeZone: string;
  /** 'HH:MM', e.g. '09:00'. */
  dayStart: string;
  /** 'HH:MM', e.g. '18:00' ('24:00' is accepted as the end of the day). Must be after dayStart. */
  dayEnd: string;
}

export interface LocalParts {
  /** Local date 'YYYY-MM-DD'. */
  date: string;
  /** Whole minutes since local midnight (0–1439). */
  minutes: number;
  /** Day of the week of `date`, 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** Upper bound on the search for the next working day (a calendar with no working day would loop forever). */
export const MAX_WORKING_DAY_SEARCH = 400;

/**
 * The longest span, in calendar days (two years), the functions below walk. A longer one is
 * refused with a RangeError instead of being walked day by day on the event loop: no deadline or
 * elapsed time of this domain is that long, so such a span is a wrong date, not a measurement.
 */
export const MAX_SPAN_DAYS = 731;
export const MAX_SPAN_MS = MAX_SPAN_DAYS * 86_400_000;

/** Whether [from, to] is short enough for the working-time functions (at most MAX_SPAN_DAYS). */
export function withinMaxSpan(from: Date, to: Date): boolean {
  return Math.abs(to.getTime() - from.getTime()) <= MAX_SPAN_MS;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

// ---------------------------------------------------------------------------
// Local date helpers ('YYYY-MM-DD', UTC date arithmetic)
// ---------------------------------------------------------------------------

/** Milliseconds of UTC midnight of a 'YYYY-MM-DD' date; throws on a malformed or impossible date. */
function dateToUtcMs(localDate: string): number {
  const m = DATE_RE.exec(localDate);
  if (!m) throw new RangeError(`Invalid local date '${localDate}', expected 'YYYY-MM-DD'`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`Invalid local date '${localDate}'`);
  }
  return ms;
}

function utcMsToDate(ms: number): string {
  const d = new Date(ms);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const mo = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${y}-${mo}-${day}`;
}

/** `localDate` plus `k` calendar days (k may be negative). */
export function addDays(localDate: string, k: number): string {
  if (!Number.isInteger(k)) throw new RangeError(`addDays: k must be an integer, got ${k}`);
  return utcMsToDate(dateToUtcMs(localDate) + k * DAY_MS);
}

/** Day of the week of a local date, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(localDate: string): number {
  return new Date(dateToUtcMs(localDate)).getUTCDay();
}

// ---------------------------------------------------------------------------
// Time-zone helpers (Intl)
// ---------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws a RangeError for an unknown time zone.
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  date: string;
  /** Seconds since local midnight. */
  seconds: number;
}

function assertValidInstant(instant: Date, name: string): number {
  const t = instant instanceof Date ? instant.getTime() : NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${name} is not a valid Date`);
  return t;
}

/** Local wall clock (date and seconds since midnight) of an instant in a time zone. */
function wallClock(instantMs: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  let year = '';
  let month = '';
  let day = '';
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = p.value;
        break;
      case 'month':
        month = p.value;
        break;
      case 'day':
        day = p.value;
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
    }
  }
  // Some engines print '24' for midnight despite hourCycle h23; the date part is already the new day.
  if (hour === 24) hour = 0;
  return { date: `${year.padStart(4, '0')}-${month}-${day}`, seconds: hour * 3600 + minute * 60 + second };
}

/** Local date, minutes since local midnight and weekday (0 = Sunday) of `instant` in `timeZone`. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const wall = wallClock(assertValidInstant(instant, 'instant'), timeZone);
  return { date: wall.date, minutes: Math.floor(wall.seconds / 60), weekday: weekdayOf(wall.date) };
}

/** Offset (local wall time minus UTC) in ms at an instant, whole seconds (instant's milliseconds ignored). */
function offsetAt(instantMs: number, timeZone: string): number {
  const wholeSecondMs = Math.floor(instantMs / 1000) * 1000;
  const wall = wallClock(wholeSecondMs, timeZone);
  return dateToUtcMs(wall.date) + wall.seconds * 1000 - wholeSecondMs;
}

/**
 * The instant at which the local wall clock in `timeZone` shows `localDate` plus `minutes`
 * minutes since midnight (minutes may be ≥ 1440 or negative, it then rolls over days).
 * Computed from an initial guess and corrected twice with the zone offset, so it is right across
 * DST changes. For a wall time that does not exist (skipped by a spring-forward change) the result
 * is an instant close to it (the wall time shifted by the DST gap); for an ambiguous wall time
 * (repeated by a fall-back change) one of the two instants is returned.
 */
export function zonedInstant(localDate: string, minutes: number, timeZone: string): Date {
  if (!Number.isFinite(minutes)) throw new RangeError(`zonedInstant: minutes must be finite, got ${minutes}`);
  const wallAsUtc = dateToUtcMs(localDate) + Math.round(minutes * MINUTE_MS);
  let t = wallAsUtc - offsetAt(wallAsUtc, timeZone);
  t = wallAsUtc - offsetAt(t, timeZone);
  return new Date(t);
}

// ---------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------

/** Whether a local date is a working day: Monday–Friday unless overridden ('holiday' / 'workday'). */
export function isWorkingDay(localDate: string, overrides: CalendarOverrides): boolean {
  const override = overrides.get(localDate);
  if (override === 'holiday') return false;
  if (override === 'workday') return true;
  const wd = weekdayOf(localDate);
  return wd >= 1 && wd <= 5;
}

/** The first working day strictly after `localDate`; throws if none within MAX_WORKING_DAY_SEARCH days. */
export function nextWorkingDay(localDate: string, overrides: CalendarOverrides): string {
  let d = localDate;
  for (let i = 0; i < MAX_WORKING_DAY_SEARCH; i++) {
    d = addDays(d, 1);
    if (isWorkingDay(d, overrides)) return d;
  }
  throw new Error(`No working day within ${MAX_WORKING_DAY_SEARCH} days after ${localDate}: check the calendar overrides`);
}

function parseClock(value: string, name: string, allow24: boolean): number {
  const m = TIME_RE.exec(value);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  const ok = m !== null && min < 60 && (h < 24 || (allow24 && h === 24 && min === 0));
  if (!ok) throw new RangeError(`Invalid ${name} '${value}', expected 'HH:MM'`);
  return h * 60 + min;
}

/** dayStart / dayEnd as minutes since local midnight; throws if malformed or dayEnd <= dayStart. */
export function workingHours(settings: WorkingTimeSettings): { start: number; end: number } {
  const start = parseClock(settings.dayStart, 'dayStart', false);
  const end = parseClock(settings.dayEnd, 'dayEnd', true);
  if (end <= start) throw new RangeError(`dayEnd '${settings.dayEnd}' must be after dayStart '${settings.dayStart}'`);
  return { start, end };
}

// ---------------------------------------------------------------------------
// Deadlines and elapsed working time
// ---------------------------------------------------------------------------

/**
 * N working days after instant `from`: if `from` is on a rest day or outside working hours
 * (before dayStart or at/after dayEnd), it first moves to dayStart of the next working day
 * (the same day when it is a working day and the time is before dayStart); the deadline is then
 * the same local clock time on the Nth working day after that day. n = 0 returns the (moved) start.
 *
 * Seconds and milliseconds of `from` are kept when `from` is inside working hours; when moved to
 * dayStart they are zero. Throws a RangeError if n is not a non-negative integer, and an Error
 * if the calendar has no working day within MAX_WORKING_DAY_SEARCH days.
 */
export function addWorkingDays(from: Date, n: number, overrides: CalendarOverrides, settings: WorkingTimeSettings): Date {
  const fromMs = assertValidInstant(from, 'from');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays: n must be a non-negative integer, got ${n}`);
  if (n > MAX_SPAN_DAYS) throw new RangeError(`addWorkingDays: ${n} working days is more than ${MAX_SPAN_DAYS} days`);
  const { start, end } = workingHours(settings);
  const wall = wallClock(fromMs, settings.timeZone);
  const minutes = Math.floor(wall.seconds / 60);

  let day: string;
  let clock: number;
  let subMinuteMs = 0;
  if (isWorkingDay(wall.date, overrides) && minutes >= start && minutes < end) {
    day = wall.date;
    clock = minutes;
    subMinuteMs = (wall.seconds % 60) * 1000 + (((fromMs % 1000) + 1000) % 1000);
  } else if (isWorkingDay(wall.date, overrides) && minutes < start) {
    day = wall.date;
    clock = start;
  } else {
    day = nextWorkingDay(wall.date, overrides);
    clock = start;
  }

  const last = addDays(wall.date, MAX_SPAN_DAYS);
  for (let i = 0; i < n; i++) {
    day = nextWorkingDay(day, overrides);
    if (day > last) throw new RangeError(`addWorkingDays: ${n} working days reach past ${MAX_SPAN_DAYS} days after ${wall.date}`);
  }
  return new Date(zonedInstant(day, clock, settings.timeZone).getTime() + subMinuteMs);
}

/**
 * Minutes of working time (working days, between dayStart and dayEnd local time) in [from, to);
 * 0 if to <= from. The result is exact: it has a fractional part when the bounds have seconds or
 * milliseconds inside working hours. Throws a RangeError for a span of more than MAX_SPAN_DAYS.
 */
export function workingMinutesBetween(from: Date, to: Date, overrides: CalendarOverrides, settings: WorkingTimeSettings): number {
  const fromMs = assertValidInstant(from, 'from');
  const toMs = assertValidInstant(to, 'to');
  if (toMs <= fromMs) return 0;
  if (toMs - fromMs > MAX_SPAN_MS) throw new RangeError(`workingMinutesBetween: the span is longer than ${MAX_SPAN_DAYS} days`);
  const { start, end } = workingHours(settings);
  const lastDay = localParts(to, settings.timeZone).date;
  let totalMs = 0;
  for (let day = localParts(from, settings.timeZone).date; day <= lastDay; day = addDays(day, 1)) {
    if (!isWorkingDay(day, overrides)) continue;
    const windowStart = Math.max(zonedInstant(day, start, settings.timeZone).getTime(), fromMs);
    const windowEnd = Math.min(zonedInstant(day, end, settings.timeZone).getTime(), toMs);
    if (windowEnd > windowStart) totalMs += windowEnd - windowStart;
  }
  return totalMs / MINUTE_MS;
}

/**
 * The local dates ('YYYY-MM-DD') a computation starting at `from` may need overrides for: from
 * the local date of `from` to `days` calendar days later. Callers load overrides for that range
 * from the database.
 */
export function localDateRange(from: Date, days: number, timeZone: string): { first: string; last: string } {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`localDateRange: days must be a non-negative integer, got ${days}`);
  if (days > MAX_SPAN_DAYS + 1) throw new RangeError(`localDateRange: ${days} days is more than ${MAX_SPAN_DAYS}`);
  const first = localParts(from, timeZone).date;
  return { first, last: addDays(first, days) };
}

/**
 * The instant at which `n` minutes of working time (working days, dayStart to dayEnd local time)
 * have passed since `from`. Time outside working hours does not count: from a rest day or after
 * dayEnd the count starts at dayStart of the next working day. When the count ends exactly at a
 * day's end, that end is the answer (not the next day's start). n = 0 returns `from` moved into
 * working time. Throws a RangeError if n is negative or not finite, or the span passes MAX_SPAN_DAYS.
 */
export function addWorkingMinutes(from: Date, n: number, overrides: CalendarOverrides, settings: WorkingTimeSettings): Date {
  const fromMs = assertValidInstant(from, 'from');
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`addWorkingMinutes: n must be a non-negative number, got ${n}`);
  const { start, end } = workingHours(settings);
  let remainingMs = n * MINUTE_MS;
  const first = localParts(from, settings.timeZone).date;
  const last = addDays(first, MAX_SPAN_DAYS);
  for (let day = first; day <= last; day = addDays(day, 1)) {
    if (!isWorkingDay(day, overrides)) continue;
    const windowStart = Math.max(zonedInstant(day, start, settings.timeZone).getTime(), fromMs);
    const windowEnd = zonedInstant(day, end, settings.timeZone).getTime();
    if (windowEnd <= windowStart) continue;
    if (windowStart + remainingMs <= windowEnd) return new Date(windowStart + remainingMs);
    remainingMs -= windowEnd - windowStart;
  }
  throw new RangeError(`addWorkingMinutes: ${n} working minutes reach past ${MAX_SPAN_DAYS} days after ${first}`);
}

/** Minutes of one working day (dayStart to dayEnd). */
export function workingDayMinutes(settings: WorkingTimeSettings): number {
  const { start, end } = workingHours(settings);
  return end - start;
}
