import { COMPLAINT_STATUSES, type ComplaintStatus } from './complaint.entity';
import { COMPLAINT_ACTIONS, type ComplaintAction, ledByDepartmentManager, nextStatus, notifiedSinceLastStatusChange, receivedAtProblem } from './complaint.rules';

const allowed: Record<ComplaintAction, Partial<Record<ComplaintStatus, ComplaintStatus>>> = {
  assign: { received: 'assigned', assigned: 'assigned', in_progress: 'in_progress' },
  start: { assigned: 'in_progress' },
  resolve: { in_progress: 'resolved' },
  verify: { resolved: 'verified' },
  close: { verified: 'closed' },
  reopen: { resolved: 'in_progress', verified: 'in_progress', closed: 'in_progress' },
  escalate: { received: 'received', assigned: 'assigned', in_progress: 'in_progress' },
  notify: { received: 'received', assigned: 'assigned', in_progress: 'in_progress', resolved: 'resolved', verified: 'verified' },
};

describe('the complaint flow', () => {
  for (const action of COMPLAINT_ACTIONS) {
    for (const status of COMPLAINT_STATUSES) {
      const expected = allowed[action][status];
      it(`${action} from ${status} ${expected ? `→ ${expected}` : 'is refused'}`, () => {
        expect(nextStatus(status, action)).toBe(expected);
      });
    }
  }

  it('walks the happy path from received to closed', () => {
    let status: ComplaintStatus = 'received';
    for (const action of ['assign', 'start', 'resolve', 'verify', 'close'] as const) status = nextStatus(status, action)!;
    expect(status).toBe('closed');
  });
});

describe('receivedAt', () => {
  const now = new Date('2026-11-24T02:00:00Z');
  const at = (offsetMs: number) => receivedAtProblem(new Date(now.getTime() + offsetMs), now);
  const day = 86_400_000;

  it('accepts now, the last 90 days and a little clock skew', () => {
    expect(at(0)).toBeUndefined();
    expect(at(5 * 60_000)).toBeUndefined();
    expect(at(-90 * day)).toBeUndefined();
  });

  it('refuses more than 5 minutes ahead and more than 90 days back', () => {
    expect(at(5 * 60_000 + 1)).toMatch(/future/);
    expect(receivedAtProblem(new Date('2099-01-01T00:00:00Z'), now)).toMatch(/future/);
    expect(at(-90 * day - 1)).toMatch(/90 days/);
    expect(receivedAtProblem(new Date('1000-01-01T00:00:00Z'), now)).toMatch(/90 days/);
  });
});

describe('who leads', () => {
  it('puts serious and major complaints under the department manager', () => {
    expect(ledByDepartmentManager('general')).toBe(false);
    expect(ledByDepartmentManager('serious')).toBe(true);
    expect(ledByDepartmentManager('major')).toBe(true);
  });
});

describe('was the customer told since the last status change', () => {
  const e = (event: string, fromStatus: string | null, toStatus: string | null) => ({ event, fromStatus, toStatus });
  const started = [e('received', null, 'received'), e('assigned', 'received', 'assigned'), e('started', 'assigned', 'in_progress')];

  it('is no when nobody told them, or only before the last status change', () => {
    expect(notifiedSinceLastStatusChange(started)).toBe(false);
    expect(notifiedSinceLastStatusChange([started[0], e('customer_notified', 'received', 'received'), ...started.slice(1)])).toBe(false);
    expect(notifiedSinceLastStatusChange([])).toBe(false);
  });

  it('is yes after a notification, even with escalations or reassignments after it', () => {
    expect(notifiedSinceLastStatusChange([...started, e('customer_notified', 'in_progress', 'in_progress')])).toBe(true);
    expect(
      notifiedSinceLastStatusChange([...started, e('customer_notified', 'in_progress', 'in_progress'), e('escalated', 'in_progress', 'in_progress'), e('assigned', 'in_progress', 'in_progress')]),
    ).toBe(true);
  });

  it('starts over after a reopen', () => {
    const reopened = [...started, e('customer_notified', 'in_progress', 'in_progress'), e('resolved', 'in_progress', 'resolved'), e('reopened', 'resolved', 'in_progress')];
    expect(notifiedSinceLastStatusChange(reopened)).toBe(false);
  });
});
