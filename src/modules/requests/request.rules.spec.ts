import { clocksOf, ClockFacts, firstResponseTarget, nextRequestStatus, REQUEST_ACTIONS } from './request.rules';
import { REQUEST_STATUSES } from './request.entity';

describe('nextRequestStatus', () => {
  it('walks new → acknowledged → in_progress → answered → closed, and reopens', () => {
    expect(nextRequestStatus('new', 'acknowledge')).toBe('acknowledged');
    expect(nextRequestStatus('acknowledged', 'start')).toBe('in_progress');
    expect(nextRequestStatus('acknowledged', 'progress')).toBe('in_progress');
    expect(nextRequestStatus('in_progress', 'progress')).toBe('in_progress');
    expect(nextRequestStatus('in_progress', 'answer')).toBe('answered');
    expect(nextRequestStatus('acknowledged', 'answer')).toBe('answered');
    expect(nextRequestStatus('answered', 'close')).toBe('closed');
    expect(nextRequestStatus('answered', 'reopen')).toBe('in_progress');
    expect(nextRequestStatus('closed', 'reopen')).toBe('in_progress');
  });

  it('refuses everything else', () => {
    const allowed = new Set([
      'new acknowledge', 'acknowledged start', 'acknowledged progress', 'in_progress progress', 'acknowledged answer', 'in_progress answer',
      'answered close', 'answered reopen', 'closed reopen', 'new assign', 'acknowledged assign', 'in_progress assign', 'answered assign',
    ]);
    for (const status of REQUEST_STATUSES) {
      for (const action of REQUEST_ACTIONS) {
        expect([status, action, nextRequestStatus(status, action) !== undefined]).toEqual([status, action, allowed.has(`${status} ${action}`)]);
      }
    }
  });
});

describe('firstResponseTarget', () => {
  it('gives problems the tier target and everything else one working day', () => {
    expect(firstResponseTarget('problem', 30, 540)).toEqual({ unit: 'working_minutes', n: 30 });
    expect(firstResponseTarget('problem', 540, 540)).toEqual({ unit: 'working_days', n: 1 });
    expect(firstResponseTarget('problem', null, 540)).toEqual({ unit: 'working_days', n: 1 });
    for (const kind of ['enquiry', 'need', 'suggestion'] as const) expect(firstResponseTarget(kind, 30, 540)).toEqual({ unit: 'working_days', n: 1 });
  });
});

describe('clocksOf', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 10, 24, h));
  const base: ClockFacts = {
    kind: 'problem',
    complex: true,
    status: 'new',
    receivedAt: t(1),
    firstResponseDueAt: t(2),
    acknowledgedAt: null,
    firstResponseBreached: false,
    expectedAnswerAt: null,
    expectedAnswerBreached: false,
    progressDueAt: t(25),
    progressBreaches: 0,
    answeredAt: null,
    satisfactionDueAt: null,
    satisfactionBreached: false,
    closedAt: null,
  };

  it('is pending before the due time, missed after it, met when done in time', () => {
    expect(clocksOf(base, t(1)).map((c) => [c.clock, c.state])).toEqual([['first_response', 'pending'], ['progress', 'pending']]);
    expect(clocksOf(base, t(3))[0].state).toBe('missed');
    expect(clocksOf({ ...base, acknowledgedAt: t(2) }, t(3))[0]).toMatchObject({ state: 'met', settledAt: t(2).toISOString() });
    expect(clocksOf({ ...base, acknowledgedAt: t(3) }, t(4))[0].state).toBe('missed');
  });

  it('adds the answer time told to the customer, and the satisfaction call of a problem', () => {
    const answered = { ...base, acknowledgedAt: t(2), expectedAnswerAt: t(10), answeredAt: t(11), satisfactionDueAt: t(59), status: 'answered' as const };
    expect(clocksOf(answered, t(12)).map((c) => [c.clock, c.state])).toEqual([
      ['first_response', 'met'],
      ['expected_answer', 'missed'],
      ['progress', 'met'],
      ['satisfaction', 'pending'],
    ]);
    expect(clocksOf({ ...answered, progressBreaches: 1 }, t(12)).find((c) => c.clock === 'progress')!.state).toBe('missed');
  });

  it('has no progress or satisfaction clock for other kinds', () => {
    expect(clocksOf({ ...base, kind: 'enquiry', complex: false, satisfactionDueAt: null }, t(1)).map((c) => c.clock)).toEqual(['first_response']);
  });
});
