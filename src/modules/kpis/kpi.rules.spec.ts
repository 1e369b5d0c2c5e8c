import { emptyTotals, KPI_CSV_COLUMNS, KPI_DEFINITIONS, kpiFigures, periodProblem } from './kpi.rules';

describe('kpiFigures', () => {
  it('derives rates and means from the counts (hand-computed)', () => {
    const f = kpiFigures({
      ...emptyTotals(),
      followUpsDue: 3,
      followUpsOnTime: 2,
      complaintsResolved: 4,
      complaintsResolvedOnTime: 3,
      resolutionMinutesSum: 100,
      resolutionMinutesCount: 3,
      satisfactionSum: 14,
      satisfactionCount: 3,
      activeCustomers: 8,
      completeCustomers: 7,
      reviewTasksDue: 2,
      reviewTasksDone: 1,
    });
    expect(f).toMatchObject({ followUpOnTimeRate: 66.7, complaintOnTimeRate: 75, meanResolutionWorkingMinutes: 33.3, satisfactionAverage: 4.67, dataQualityCompleteness: 87.5, reviewCompletionRate: 50 });
  });

  it('says null, never 0 % or NaN, when there was nothing to count', () => {
    expect(kpiFigures(emptyTotals())).toMatchObject({ followUpOnTimeRate: null, complaintOnTimeRate: null, meanResolutionWorkingMinutes: null, satisfactionAverage: null, dataQualityCompleteness: null, reviewCompletionRate: null });
  });
});

describe('periods and columns', () => {
  it('a period runs forwards and covers at most 400 days', () => {
    const d = (s: string) => new Date(s);
    expect(periodProblem(d('2026-01-01'), d('2026-04-01'))).toBeUndefined();
    expect(periodProblem(d('2026-04-01'), d('2026-04-01'))).toBe('from must be before to');
    expect(periodProblem(d('2025-01-01'), d('2026-04-01'))).toMatch(/400 days/);
  });

  it('every defined figure is a CSV column', () => {
    expect(KPI_CSV_COLUMNS.slice(4)).toEqual(Object.keys(KPI_DEFINITIONS));
  });
});
