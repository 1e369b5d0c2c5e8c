import type { RequestKind, RequestStatus } from './request.entity';

export const REQUEST_ACTIONS = ['acknowledge', 'start', 'progress', 'answer', 'close', 'reopen', 'assign'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

const OPEN: readonly RequestStatus[] = ['new', 'acknowledged', 'in_progress'];

/**
 * The request flow: new → acknowledged → in_progress → answered → closed; reopen (answered or
 * closed) goes back to in_progress; a progress report on an acknowledged request starts the work;
 * dispatch (assign) while not closed, keeping the status. Undefined: the flow does not allow it.
 */
export function nextRequestStatus(status: RequestStatus, action: RequestAction): RequestStatus | undefined {
  switch (action) {
    case 'acknowledge':
      return status === 'new' ? 'acknowledged' : undefined;
    case 'start':
      return status === 'acknowledged' ? 'in_progress' : undefined;
    case 'progress':
      return status === 'acknowledged' || status === 'in_progress' ? 'in_progress' : undefined;
    case 'answer':
      return status === 'acknowledged' || status === 'in_progress' ? 'answered' : undefined;
    case 'close':
      return status === 'answered' ? 'closed' : undefined;
    case 'reopen':
      return status === 'answered' || status === 'closed' ? 'in_progress' : undefined;
    case 'assign':
      return status === 'closed' ? undefined : status;
  }
}

export function isOpenRequest(status: RequestStatus): boolean {
  return OPEN.includes(status);
}

/** A problem is closed only after the satisfaction call (seed 001 §2); other kinds close directly. */
export function needsSatisfactionCall(kind: RequestKind): boolean {
  return kind === 'problem';
}

/** Hours between progress reports of a complex problem, and for the satisfaction call after the answer (seed 001 §2). */
export const PROGRESS_REPORT_HOURS = 24;
export const SATISFACTION_CALL_HOURS = 48;

/**
 * The first-response target: a problem within its customer's tier's `response_target_minutes`
 * (working minutes); anything else within one working day. A target that is a whole number of
 * working days is counted in working days, so "one working day" means the same clock time on the
 * next working day whatever the working hours are.
 */
export type ResponseTarget = { unit: 'working_days'; n: number } | { unit: 'working_minutes'; n: number };

export function firstResponseTarget(kind: RequestKind, tierMinutes: number | null, workingDayMinutes: number): ResponseTarget {
  if (kind !== 'problem' || tierMinutes === null) return { unit: 'working_days', n: 1 };
  if (tierMinutes > 0 && tierMinutes % workingDayMinutes === 0) return { unit: 'working_days', n: tierMinutes / workingDayMinutes };
  return { unit: 'working_minutes', n: tierMinutes };
}

export const CLOCKS = ['first_response', 'expected_answer', 'progress', 'satisfaction'] as const;
export type ClockName = (typeof CLOCKS)[number];
export type ClockState = 'pending' | 'met' | 'missed';

/** What the clocks need to know of a request. */
export interface ClockFacts {
  kind: RequestKind;
  complex: boolean;
  status: RequestStatus;
  receivedAt: Date;
  firstResponseDueAt: Date;
  acknowledgedAt: Date | null;
  firstResponseBreached: boolean;
  expectedAnswerAt: Date | null;
  expectedAnswerBreached: boolean;
  progressDueAt: Date | null;
  progressBreaches: number;
  answeredAt: Date | null;
  satisfactionDueAt: Date | null;
  satisfactionBreached: boolean;
  closedAt: Date | null;
}

export interface Clock {
  clock: ClockName;
  dueAt: string | null;
  /** When the clock was met or missed for good; null while pending. */
  settledAt: string | null;
  state: ClockState;
  /** The sweep flagged (and audited) its breach. */
  breachFlagged: boolean;
}

const settle = (due: Date, done: Date | null, now: Date): { state: ClockState; settledAt: Date | null } => {
  if (done) return { state: done.getTime() <= due.getTime() ? 'met' : 'missed', settledAt: done };
  return now.getTime() > due.getTime() ? { state: 'missed', settledAt: null } : { state: 'pending', settledAt: null };
};

/**
 * Every clock that applies to the request, with its due time and whether it was met: the first
 * response; the answer time told to the customer; progress reports of a complex problem (every
 * 24 hours until answered; missed once any report came late); the satisfaction call of a problem.
 */
export function clocksOf(r: ClockFacts, now: Date): Clock[] {
  const out: Clock[] = [];
  const push = (clock: ClockName, due: Date | null, s: { state: ClockState; settledAt: Date | null }, breachFlagged: boolean) =>
    out.push({ clock, dueAt: due?.toISOString() ?? null, settledAt: s.settledAt?.toISOString() ?? null, state: s.state, breachFlagged });

  push('first_response', r.firstResponseDueAt, settle(r.firstResponseDueAt, r.acknowledgedAt, now), r.firstResponseBreached);
  if (r.expectedAnswerAt) push('expected_answer', r.expectedAnswerAt, settle(r.expectedAnswerAt, r.answeredAt, now), r.expectedAnswerBreached);
  if (r.kind === 'problem' && r.complex) {
    if (r.answeredAt) {
      push('progress', null, { state: r.progressBreaches > 0 ? 'missed' : 'met', settledAt: r.answeredAt }, r.progressBreaches > 0);
    } else if (r.progressDueAt) {
      const s = settle(r.progressDueAt, null, now);
      push('progress', r.progressDueAt, r.progressBreaches > 0 ? { state: 'missed', settledAt: null } : s, r.progressBreaches > 0);
    }
  }
  if (r.kind === 'problem' && r.satisfactionDueAt) push('satisfaction', r.satisfactionDueAt, settle(r.satisfactionDueAt, r.closedAt, now), r.satisfactionBreached);
  return out;
}

/** How far ahead of the server clock a receipt time may lie, and how far back a request may be recorded. */
export const RECEIVED_AT_MAX_AHEAD_MS = 5 * 60_000;
export const RECEIVED_AT_MAX_AGE_DAYS = 90;

export function receivedAtProblem(receivedAt: Date, now: Date): string | undefined {
  if (receivedAt.getTime() > now.getTime() + RECEIVED_AT_MAX_AHEAD_MS) return 'receivedAt may not lie in the future (more than 5 minutes ahead of the server clock)';
  if (receivedAt.getTime() < now.getTime() - RECEIVED_AT_MAX_AGE_DAYS * 86_400_000) return `receivedAt may not lie more than ${RECEIVED_AT_MAX_AGE_DAYS} days back`;
  return undefined;
}

/** The answer time told to the customer must lie after the acknowledgement and within a year. */
export function expectedAnswerProblem(expectedAnswerAt: Date, now: Date): string | undefined {
  if (expectedAnswerAt.getTime() <= now.getTime()) return 'expectedAnswerAt must lie in the future';
  if (expectedAnswerAt.getTime() > now.getTime() + 365 * 86_400_000) return 'expectedAnswerAt may not lie more than a year ahead';
  return undefined;
}

/** The due time of the next clock still running (missed ones first, they are the most urgent), or undefined when none runs. */
export function nextDueAt(r: ClockFacts): Date | undefined {
  const running: (Date | null)[] = [];
  if (r.status === 'new') running.push(r.firstResponseDueAt);
  if (r.status === 'acknowledged' || r.status === 'in_progress') running.push(r.expectedAnswerAt, r.kind === 'problem' && r.complex ? r.progressDueAt : null);
  if (r.status === 'acknowledged' || r.status === 'in_progress') {
    // With no answer time promised, an open request is still due within its first-response day at the latest.
    if (!r.expectedAnswerAt && !(r.kind === 'problem' && r.complex)) running.push(r.firstResponseDueAt);
  }
  if (r.status === 'answered' && r.kind === 'problem') running.push(r.satisfactionDueAt);
  const times = running.filter((d): d is Date => d instanceof Date).map((d) => d.getTime());
  return times.length > 0 ? new Date(Math.min(...times)) : undefined;
}
