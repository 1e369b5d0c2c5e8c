import { tagIdsIn, viewHistoryEntry } from './history-view.rules';

const update = {
  action: 'customer.update',
  entityType: 'customer',
  changedFields: ['notes', 'stage', 'annualRevenue'],
  before: { notes: '底价 80 万', stage: 'prospect', annualRevenue: 100, needs: { budgetRange: '100 万' } },
  after: { notes: '底价 90 万', stage: 'customer', annualRevenue: 200, needs: { budgetRange: '120 万' } },
  reason: null,
};

const tagging = {
  action: 'customer.tags',
  entityType: 'customer',
  changedFields: ['tags'],
  before: { tags: [{ id: 'mine', name: '重点', group: '意向' }] },
  after: { tags: [{ id: 'theirs', name: '难缠客户', group: '意向' }, { id: 'company', name: '华东', group: '区域' }] },
  reason: 'exclusive group: replaced 难缠客户',
};

describe('viewHistoryEntry', () => {
  it('leaves out the commercial record for a viewer who may not receive it', () => {
    const view = viewHistoryEntry(update, { hideCommercial: true, hiddenTagIds: new Set() });
    expect(view.before).toEqual({ stage: 'prospect' });
    expect(view.after).toEqual({ stage: 'customer' });
    expect(view.changedFields).toEqual(['stage']);
    expect(viewHistoryEntry(update, { hideCommercial: false, hiddenTagIds: new Set() })).toEqual(update);
  });

  it('keeps other entity types whole', () => {
    const contact = { ...update, entityType: 'contact' };
    expect(viewHistoryEntry(contact, { hideCommercial: true, hiddenTagIds: new Set() })).toEqual(contact);
  });

  it('shows that somebody else\'s personal tag changed, not its name, in the reason too', () => {
    expect(tagIdsIn(tagging)).toEqual(['mine', 'theirs', 'company']);
    const view = viewHistoryEntry(tagging, { hideCommercial: false, hiddenTagIds: new Set(['theirs']) });
    expect(view.after).toEqual({ tags: [{ id: 'theirs', name: null, group: '意向', personal: true }, { id: 'company', name: '华东', group: '区域' }] });
    expect(view.before).toEqual(tagging.before);
    expect(view.reason).toBe('exclusive group: replaced (personal tag)');
    expect(JSON.stringify(view)).not.toContain('难缠');
  });
});
