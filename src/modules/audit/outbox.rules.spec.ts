import { INTEGRATOR_EVENT_NAMES, integratorEvent, outboxPiiOf, unmaskedPayload } from './outbox.rules';

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

describe('personal data of an event', () => {
  const shown = { before: { mobile: '139****0001', version: 1 }, after: { mobile: '139****0002', version: 2 } };

  it('keeps only the unmasked values of fields the diffed payload shows, on the same side', () => {
    const pii = { before: { mobile: '+8613900000001', email: 'a@example.com' }, after: { mobile: '+8613900000002', email: 'a@example.com' } };
    expect(outboxPiiOf(pii, shown)).toEqual({ before: { mobile: '+8613900000001' }, after: { mobile: '+8613900000002' } });
    expect(outboxPiiOf({ after: { email: 'a@example.com' } }, shown)).toBeNull();
    expect(outboxPiiOf(undefined, shown)).toBeNull();
    expect(outboxPiiOf({ after: { mobile: '+8613900000002' } }, { before: null, after: null })).toBeNull();
  });

  it('replaces masked values in the payload, never adds a field it did not show', () => {
    const payload = { entityId: 'c1', changedFields: ['mobile', 'version'], ...shown };
    const unmasked = unmaskedPayload(payload, { before: { mobile: '+8613900000001', wechatId: 'wx' }, after: { mobile: '+8613900000002' } });
    expect(unmasked).toEqual({ entityId: 'c1', changedFields: ['mobile', 'version'], before: { mobile: '+8613900000001', version: 1 }, after: { mobile: '+8613900000002', version: 2 } });
    expect(unmaskedPayload({ before: null, after: { mobile: 'x' } }, { before: { mobile: 'y' } })).toEqual({ before: null, after: { mobile: 'x' } });
  });
});
