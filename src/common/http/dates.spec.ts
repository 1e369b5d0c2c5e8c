import { isCalendarDate, isRfc3339DateTime } from './dates';

describe('isRfc3339DateTime', () => {
  it.each(['2026-03-01T09:30:00Z', '2026-03-01T09:30:00+08:00', '2026-03-01T09:30:00.5-05:30', '2024-02-29T23:59:59.123456789Z', '1900-01-01T00:00:00Z', '2200-12-31T23:59:59+14:00'])(
    'accepts %s',
    (value) => {
      expect(isRfc3339DateTime(value)).toBe(true);
      expect(Number.isNaN(Date.parse(value))).toBe(false);
    },
  );

  it.each([
    '2024-W01-1',
    '2024-123',
    '20240101T1200Z',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T23:60:00Z',
    '2026-03-01T23:59:60Z',
    '2026-03-01T09:30Z',
    '2026-03-01T09:30:00',
    '2026-03-01 09:30:00Z',
    '2026-03-01',
    '1899-12-31T23:59:59Z',
    '2201-01-01T00:00:00Z',
    '+002026-03-01T09:30:00Z',
    '2026-03-01T09:30:00+0800',
    '2026-03-01T09:30:00+24:00',
    '2026-03-01T09:30:00.1234567890Z',
    '２０２６-03-01T09:30:00Z',
    '',
  ])('refuses %s', (value) => {
    expect(isRfc3339DateTime(value)).toBe(false);
  });

  it('refuses what is not a string', () => {
    expect(isRfc3339DateTime(1_700_000_000_000)).toBe(false);
    expect(isRfc3339DateTime(null)).toBe(false);
  });
});

describe('isCalendarDate', () => {
  it.each(['2026-03-01', '2024-02-29', '2000-02-29', '1900-01-01', '2200-12-31'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each(['2024-02-30', '1900-02-29', '2023-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-03-00', '2024-W01-1', '2024-123', '20240101', '1899-12-31', '2201-01-01', '2026-3-1', '2026-03-01T00:00:00Z', '٢٠٢٦-03-01'])(
    'refuses %s',
    (value) => {
      expect(isCalendarDate(value)).toBe(false);
    },
  );
});
