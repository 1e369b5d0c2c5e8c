import { INTEGRATOR_EVENT_NAMES, integratorEvent } from './outbox.rules';

describe('integrator events of audit actions', () => {
  it('maps changes integrators care about to past-tense event names', () => {
    expect(integratorEvent('customer.create')).toBe('customer.created');
    expect(integratorEvent('customer.transfer')).toBe('customer.transferred');
    expect(integratorEvent('complaint.breach')).toBe('complaint.breached');
    expect(integratorEvent('complaint.escalate')).toBe('complaint.escalated');
    expect(integratorEvent('approval.reject')).toBe('approval.decided');
    expect(integratorEvent('request.create')).toBe('request.created');
  });

  it('announces nothing for logins, reads, settings or inherited object keys', () => {
    for (const action of ['auth.login', 'pii.read', 'user.create', 'tag.create', 'webhook.create', 'toString', 'constructor']) {
      expect(integratorEvent(action)).toBeNull();
    }
  });

  it('lists each event name once, all of the form entity.verb', () => {
    expect(new Set(INTEGRATOR_EVENT_NAMES).size).toBe(INTEGRATOR_EVENT_NAMES.length);
    for (const name of INTEGRATOR_EVENT_NAMES) expect(name).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });
});
