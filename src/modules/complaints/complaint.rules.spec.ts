import { COMPLAINT_STATUSES, type ComplaintStatus } from './complaint.entity';
import { COMPLAINT_ACTIONS, type ComplaintAction, nextStatus } from './complaint.rules';

const allowed: Record<ComplaintAction, Partial<Record<ComplaintStatus, ComplaintStatus>>> = {
  assign: { received: 'assigned', assigned: 'assigned', in_progress: 'in_progress' },
  start: { assigned: 'in_progress' },
  resolve: { in_progress: 'resolved' },
  verify: { resolved: 'verified' },
  close: { verified: 'closed' },
  reopen: { resolved: 'in_progress', verified: 'in_progress', closed: 'in_progress' },
  escalate: { received: 'received', assigned: 'assigned', in_progress: 'in_progress' },
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
