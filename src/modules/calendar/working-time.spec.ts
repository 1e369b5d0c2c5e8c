import {
  addDays,
  addWorkingDays,
  addWorkingMinutes,
  CalendarOverrides,
  isWorkingDay,
  localDateRange,
  localParts,
  MAX_SPAN_DAYS,
  nextWorkingDay,
  withinMaxSpan,
  workingMinutesBetween,
  WorkingTimeSettings,
  zonedInstant,
} from './working-time';

const shanghai: WorkingTimeSettings = { timeZone: 'Asia/Shanghai', dayStart: '09:00', dayEnd: '18:00' };
const berlin: WorkingTimeSettings = { timeZone: 'Europe/Berlin', dayStart: '09:00', dayEnd: '18:00' };

/** 2026 National Day: Oct 1–7 (Thu–Wed) off, Saturday Oct 10 is a make-up working day (调休). */
const nationalDay: CalendarOverrides = new Map<string, 'holiday' | 'workday'>([
  ['2026-10-01', 'holiday'],
  ['2026-10-02', 'holiday'],
  ['2026-10-03', 'holiday'],
  ['2026-10-04', 'holiday'],
  ['2026-10-05', 'holiday'],
  ['2026-10-06', 'holiday'],
  ['2026-10-07', 'holiday'],
  ['2026-10-10', 'workday'],
]);
const none: CalendarOverrides = new Map();

/** An instant given as Shanghai wall time 'YYYY-MM-DDTHH:MM[:SS[.mmm]]'. */
const sh = (local: string): Date => new Date(`${local}+08:00`);
const deadline = (local: string, n: number, overrides: CalendarOverrides = nationalDay): Date =>
  addWorkingDays(sh(local), n, overrides, shanghai);

describe('isWorkingDay', () => {
  it('follows Monday–Friday without overrides', () => {
    expect(isWorkingDay('2026-11-23', none)).toBe(true); // Monday
    expect(isWorkingDay('2026-11-27', none)).toBe(true); // Friday
    expect(isWorkingDay('2026-11-28', none)).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-29', none)).toBe(false); // Sunday
  });

  it("applies 'holiday' to weekdays and 'workday' to weekends", () => {
    expect(isWorkingDay('2026-10-01', nationalDay)).toBe(false); // Thursday, holiday
    expect(isWorkingDay('2026-10-07', nationalDay)).toBe(false); // Wednesday, holiday
    expect(isWorkingDay('2026-10-08', nationalDay)).toBe(true); // Thursday after the holiday
    expect(isWorkingDay('2026-10-10', nationalDay)).toBe(true); // make-up Saturday
    expect(isWorkingDay('2026-10-11', nationalDay)).toBe(false); // ordinary Sunday
    expect(isWorkingDay('2026-10-10', none)).toBe(false);
  });

  it('rejects malformed dates', () => {
    expect(() => isWorkingDay('2026-13-01', none)).toThrow(RangeError);
    expect(() => isWorkingDay('2026-02-30', none)).toThrow(RangeError);
    expect(() => isWorkingDay('26-1-1', none)).toThrow(RangeError);
  });
});

describe('date and time-zone helpers', () => {
  it('adds calendar days across months, years and leap days', () => {
    expect(addDays('2026-09-30', 1)).toBe('2026-10-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-10-10', 0)).toBe('2026-10-10');
  });

  it('reads local parts, including midnight as hour 0', () => {
    expect(localParts(sh('2026-09-29T10:00'), 'Asia/Shanghai')).toEqual({ date: '2026-09-29', minutes: 600, weekday: 2 });
    expect(localParts(sh('2026-11-22T00:00'), 'Asia/Shanghai')).toEqual({ date: '2026-11-22', minutes: 0, weekday: 0 });
    expect(localParts(sh('2026-11-22T23:59:59.999'), 'Asia/Shanghai')).toEqual({ date: '2026-11-22', minutes: 1439, weekday: 0 });
    // 2026-03-29 00:30Z is 01:30 CET, 01:30Z is 03:30 CEST.
    expect(localParts(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin').minutes).toBe(90);
    expect(localParts(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin').minutes).toBe(210);
  });

  it('converts local wall time to instants, also around DST changes', () => {
    expect(zonedInstant('2026-09-29', 600, 'Asia/Shanghai').toISOString()).toBe('2026-09-29T02:00:00.000Z');
    expect(zonedInstant('2026-03-28', 600, 'Europe/Berlin').toISOString()).toBe('2026-03-28T09:00:00.000Z'); // CET
    expect(zonedInstant('2026-03-29', 600, 'Europe/Berlin').toISOString()).toBe('2026-03-29T08:00:00.000Z'); // CEST
    expect(zonedInstant('2026-10-25', 600, 'Europe/Berlin').toISOString()).toBe('2026-10-25T09:00:00.000Z'); // CET again
    expect(zonedInstant('2026-03-29', 60, 'Europe/Berlin').toISOString()).toBe('2026-03-29T00:00:00.000Z'); // just before the gap
    expect(zonedInstant('2026-03-29', 180, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:00:00.000Z'); // just after the gap
  });

  it('round-trips every quarter hour of a DST year in Berlin', () => {
    for (let day = '2026-01-01'; day <= '2026-12-31'; day = addDays(day, 7)) {
      for (let m = 0; m < 1440; m += 15) {
        const p = localParts(zonedInstant(day, m, 'Europe/Berlin'), 'Europe/Berlin');
        expect([p.date, p.minutes]).toEqual([day, m]);
      }
    }
    // The DST days themselves, outside the skipped hour.
    for (const day of ['2026-03-29', '2026-10-25']) {
      for (let m = 0; m < 1440; m += 15) {
        if (day === '2026-03-29' && m >= 120 && m < 180) continue;
        const p = localParts(zonedInstant(day, m, 'Europe/Berlin'), 'Europe/Berlin');
        expect([p.date, p.minutes]).toEqual([day, m]);
      }
    }
  });

  it('gives the override range for a computation', () => {
    // 2026-09-29 20:00Z is already 2026-09-30 04:00 in Shanghai.
    expect(localDateRange(new Date('2026-09-29T20:00:00Z'), 10, 'Asia/Shanghai')).toEqual({ first: '2026-09-30', last: '2026-10-10' });
    expect(localDateRange(new Date('2026-09-29T20:00:00Z'), 0, 'Europe/Berlin')).toEqual({ first: '2026-09-29', last: '2026-09-29' });
    expect(() => localDateRange(new Date(), -1, 'Asia/Shanghai')).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('counts to the next working day at the same clock time, skipping the National Day holiday', () => {
    expect(deadline('2026-09-29T10:00', 1)).toEqual(sh('2026-09-30T10:00'));
    expect(deadline('2026-09-30T10:00', 1)).toEqual(sh('2026-10-08T10:00'));
  });

  it('starts a rest-day receipt at dayStart of the next working day', () => {
    expect(deadline('2026-11-22T11:00', 1)).toEqual(sh('2026-11-24T09:00'));
    expect(deadline('2026-11-22T11:00', 0)).toEqual(sh('2026-11-23T09:00'));
    // Received during the holiday.
    expect(deadline('2026-10-03T14:00', 1)).toEqual(sh('2026-10-09T09:00'));
  });

  it('counts a make-up Saturday as a working day', () => {
    expect(deadline('2026-10-09T15:00', 1)).toEqual(sh('2026-10-10T15:00'));
    expect(deadline('2026-10-10T16:00', 1)).toEqual(sh('2026-10-12T16:00'));
    expect(deadline('2026-10-09T15:00', 1, none)).toEqual(sh('2026-10-12T15:00'));
  });

  it('moves receipts outside working hours to dayStart', () => {
    expect(deadline('2026-11-23T18:30', 1)).toEqual(sh('2026-11-25T09:00')); // after hours
    expect(deadline('2026-11-23T07:00', 1)).toEqual(sh('2026-11-24T09:00')); // before hours
    expect(deadline('2026-11-23T07:00', 0)).toEqual(sh('2026-11-23T09:00'));
    expect(deadline('2026-11-23T18:00', 1)).toEqual(sh('2026-11-25T09:00')); // exactly dayEnd is after hours
    expect(deadline('2026-11-23T17:59', 1)).toEqual(sh('2026-11-24T17:59'));
    expect(deadline('2026-11-23T09:00', 1)).toEqual(sh('2026-11-24T09:00')); // exactly dayStart is inside
    expect(deadline('2026-11-27T18:00', 1)).toEqual(sh('2026-12-01T09:00')); // Friday evening
  });

  it('counts several working days across a weekend', () => {
    expect(deadline('2026-11-26T10:00', 2)).toEqual(sh('2026-11-30T10:00')); // Thu → Mon
    expect(deadline('2026-11-26T10:00', 3)).toEqual(sh('2026-12-01T10:00')); // Thu → Tue
    expect(deadline('2026-11-27T16:45', 2)).toEqual(sh('2026-12-01T16:45')); // Fri → Tue
    expect(deadline('2026-11-27T16:45', 3)).toEqual(sh('2026-12-02T16:45')); // Fri → Wed
    expect(deadline('2026-09-29T10:00', 3)).toEqual(sh('2026-10-09T10:00')); // across the holiday
    expect(deadline('2026-09-29T10:00', 4)).toEqual(sh('2026-10-10T10:00')); // onto the make-up Saturday
  });

  it('keeps seconds and milliseconds inside working hours and drops them when moved', () => {
    expect(deadline('2026-11-23T10:15:42.123', 1)).toEqual(sh('2026-11-24T10:15:42.123'));
    expect(deadline('2026-11-23T10:15:42.123', 0)).toEqual(sh('2026-11-23T10:15:42.123'));
    expect(deadline('2026-11-23T18:15:42.123', 1)).toEqual(sh('2026-11-25T09:00:00.000'));
    expect(deadline('2026-11-23T08:59:59.999', 0)).toEqual(sh('2026-11-23T09:00:00.000'));
  });

  it('keeps the local clock time across a DST change (Europe/Berlin)', () => {
    const from = zonedInstant('2026-03-27', 600, 'Europe/Berlin'); // Friday 10:00 CET
    expect(from.toISOString()).toBe('2026-03-27T09:00:00.000Z');
    const due = addWorkingDays(from, 1, none, berlin);
    expect(localParts(due, 'Europe/Berlin')).toEqual({ date: '2026-03-30', minutes: 600, weekday: 1 });
    expect(due.toISOString()).toBe('2026-03-30T08:00:00.000Z'); // 10:00 CEST
    // And back in autumn: Friday 2026-10-23 10:00 CEST → Monday 2026-10-26 10:00 CET.
    const autumn = addWorkingDays(zonedInstant('2026-10-23', 600, 'Europe/Berlin'), 1, none, berlin);
    expect(localParts(autumn, 'Europe/Berlin')).toEqual({ date: '2026-10-26', minutes: 600, weekday: 1 });
  });

  it('rejects bad input and a calendar without working days', () => {
    expect(() => deadline('2026-11-23T10:00', -1)).toThrow(RangeError);
    expect(() => deadline('2026-11-23T10:00', 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(new Date(NaN), 1, none, shanghai)).toThrow(RangeError);
    expect(() => addWorkingDays(sh('2026-11-23T10:00'), 1, none, { ...shanghai, dayEnd: '08:00' })).toThrow(RangeError);
    expect(() => addWorkingDays(sh('2026-11-23T10:00'), 1, none, { ...shanghai, dayStart: '9:00' })).toThrow(RangeError);
    expect(() => addWorkingDays(sh('2026-11-23T10:00'), 1, none, { ...shanghai, timeZone: 'Mars/Olympus' })).toThrow(RangeError);

    const allHolidays = new Map<string, 'holiday' | 'workday'>();
    for (let d = '2026-01-01'; d <= '2028-12-31'; d = addDays(d, 1)) allHolidays.set(d, 'holiday');
    expect(() => addWorkingDays(sh('2026-11-23T10:00'), 1, allHolidays, shanghai)).toThrow(/No working day within 400 days/);
    expect(() => nextWorkingDay('2026-11-23', allHolidays)).toThrow(Error);
  });
});

describe('workingMinutesBetween', () => {
  const between = (from: string, to: string, overrides: CalendarOverrides = nationalDay): number =>
    workingMinutesBetween(sh(from), sh(to), overrides, shanghai);

  it('measures within one day', () => {
    expect(between('2026-11-23T10:00', '2026-11-23T12:30')).toBe(150);
    expect(between('2026-11-23T07:00', '2026-11-23T20:00')).toBe(540);
    expect(between('2026-11-23T18:00', '2026-11-23T23:00')).toBe(0);
  });

  it('skips the weekend', () => {
    expect(between('2026-11-27T17:00', '2026-11-30T10:00')).toBe(120);
  });

  it('skips the holiday week and counts the make-up Saturday', () => {
    expect(between('2026-09-30T17:00', '2026-10-08T10:00')).toBe(120);
    expect(between('2026-09-30T17:00', '2026-10-08T10:00', none)).toBe(60 + 5 * 540 + 60);
    expect(between('2026-10-09T17:00', '2026-10-12T09:30')).toBe(60 + 540 + 30);
  });

  it('is 0 when to <= from', () => {
    expect(between('2026-11-23T12:00', '2026-11-23T12:00')).toBe(0);
    expect(between('2026-11-23T12:00', '2026-11-23T10:00')).toBe(0);
  });

  it('starts on a rest day', () => {
    expect(between('2026-11-22T11:00', '2026-11-23T10:30')).toBe(90);
    expect(between('2026-11-21T11:00', '2026-11-22T23:00')).toBe(0);
  });

  it('is exact for sub-minute bounds', () => {
    expect(between('2026-11-23T10:00:30', '2026-11-23T10:02')).toBe(1.5);
  });

  it('handles a DST weekend in Berlin', () => {
    const from = zonedInstant('2026-03-27', 17 * 60, 'Europe/Berlin');
    const to = zonedInstant('2026-03-30', 10 * 60, 'Europe/Berlin');
    expect(workingMinutesBetween(from, to, none, berlin)).toBe(120);
  });
});

describe('spans longer than two years are refused, not walked', () => {
  it('refuses workingMinutesBetween over more than two years, quickly, and measures two years', () => {
    const started = Date.now();
    expect(() => workingMinutesBetween(new Date('1000-01-01T00:00:00Z'), sh('2026-11-23T10:00'), none, shanghai)).toThrow(RangeError);
    expect(() => workingMinutesBetween(sh('2026-11-23T10:00'), new Date('2099-01-01T00:00:00Z'), none, shanghai)).toThrow(/longer than 731 days/);
    expect(Date.now() - started).toBeLessThan(200);
    const from = sh('2024-11-23T10:00');
    const twoYears = new Date(from.getTime() + MAX_SPAN_DAYS * 86_400_000);
    expect(workingMinutesBetween(from, twoYears, none, shanghai)).toBeGreaterThan(500 * 540);
    expect(() => workingMinutesBetween(from, new Date(twoYears.getTime() + 1), none, shanghai)).toThrow(RangeError);
    // The other way round is still 0, whatever the span.
    expect(workingMinutesBetween(sh('2099-01-01T00:00'), sh('2026-11-23T10:00'), none, shanghai)).toBe(0);
  });

  it('refuses addWorkingDays beyond two years', () => {
    expect(() => deadline('2026-11-23T10:00', MAX_SPAN_DAYS + 1)).toThrow(RangeError);
    expect(() => deadline('2026-11-23T10:00', 600, none)).toThrow(/reach past 731 days/);
    expect(deadline('2026-11-23T10:00', 500, none).getTime()).toBeGreaterThan(sh('2028-10-01T00:00').getTime());
  });

  it('refuses an override range beyond two years, and tells spans apart', () => {
    expect(() => localDateRange(new Date(), MAX_SPAN_DAYS + 2, 'Asia/Shanghai')).toThrow(RangeError);
    expect(withinMaxSpan(sh('2024-11-23T10:00'), sh('2026-11-23T10:00'))).toBe(true);
    expect(withinMaxSpan(new Date('1000-01-01T00:00:00Z'), sh('2026-11-23T10:00'))).toBe(false);
  });
});

describe('addWorkingDays properties (seeded pseudo-random instants across 2026)', () => {
  // Numerical Recipes LCG, fixed seed: deterministic without extra libraries.
  const lcg = (seed: number) => {
    let state = seed >>> 0;
    return (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  };
  const yearStart = sh('2026-01-01T00:00').getTime();
  const yearMs = 365 * 86_400_000;
  const random = lcg(20260929);
  const instants = Array.from({ length: 200 }, () => new Date(yearStart + Math.floor(random() * yearMs)));
  const start = 9 * 60;
  const end = 18 * 60;

  it.each([
    ['Asia/Shanghai', shanghai],
    ['Europe/Berlin', berlin],
  ] as const)('lands on working time, strictly increasing in n (%s)', (_name, settings) => {
    for (const t of instants) {
      let previous = addWorkingDays(t, 0, nationalDay, settings);
      expect(previous.getTime()).toBeGreaterThanOrEqual(t.getTime());
      for (let n = 1; n <= 5; n++) {
        const due = addWorkingDays(t, n, nationalDay, settings);
        const p = localParts(due, settings.timeZone);
        expect(isWorkingDay(p.date, nationalDay)).toBe(true);
        expect(p.minutes).toBeGreaterThanOrEqual(start);
        expect(p.minutes).toBeLessThan(end);
        expect(due.getTime()).toBeGreaterThan(previous.getTime());
        // n working days of deadline are exactly n full working days of elapsed working time.
        expect(workingMinutesBetween(t, due, nationalDay, settings)).toBe(n * (end - start));
        previous = due;
      }
    }
  });
});

describe('addWorkingMinutes', () => {
  const plus = (local: string, n: number, overrides: CalendarOverrides = nationalDay) => addWorkingMinutes(sh(local), n, overrides, shanghai);

  it('adds inside one working day', () => {
    expect(plus('2026-11-24T10:00', 30)).toEqual(sh('2026-11-24T10:30'));
  });

  it('carries over the evening into the next working day', () => {
    expect(plus('2026-11-24T17:50', 30)).toEqual(sh('2026-11-25T09:20'));
  });

  it('carries a Friday evening over the weekend', () => {
    expect(plus('2026-11-27T17:50', 30)).toEqual(sh('2026-11-30T09:20'));
  });

  it('waits out a holiday and counts a make-up Saturday', () => {
    // Wednesday Sep 30 17:50 → the holiday week → Thursday Oct 8 09:20.
    expect(plus('2026-09-30T17:50', 30)).toEqual(sh('2026-10-08T09:20'));
    // Friday Oct 9 17:50 → Saturday Oct 10 is a working day.
    expect(plus('2026-10-09T17:50', 30)).toEqual(sh('2026-10-10T09:20'));
  });

  it('starts at dayStart from a rest day or after hours, and ends at a day end exactly', () => {
    expect(plus('2026-11-29T11:00', 30)).toEqual(sh('2026-11-30T09:30'));
    expect(plus('2026-11-24T19:00', 0)).toEqual(sh('2026-11-25T09:00'));
    expect(plus('2026-11-24T09:00', 540)).toEqual(sh('2026-11-24T18:00'));
  });

  it('agrees with workingMinutesBetween', () => {
    const from = sh('2026-09-28T16:17:30');
    const due = addWorkingMinutes(from, 1234, nationalDay, shanghai);
    expect(workingMinutesBetween(from, due, nationalDay, shanghai)).toBeCloseTo(1234, 6);
  });

  it('refuses a negative count and a span past the limit', () => {
    expect(() => plus('2026-11-24T10:00', -1)).toThrow(RangeError);
    expect(() => plus('2026-11-24T10:00', 540 * 800)).toThrow(RangeError);
  });
});
