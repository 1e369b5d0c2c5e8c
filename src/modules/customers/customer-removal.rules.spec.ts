import { mergedConsent } from './customer-removal.rules';

describe('mergedConsent', () => {
  it('a withdrawal on any record wins over grants, whichever record survives', () => {
    expect(mergedConsent(['granted', 'withdrawn'])).toBe('withdrawn');
    expect(mergedConsent(['withdrawn', 'granted', 'granted'])).toBe('withdrawn');
    expect(mergedConsent(['unknown', 'withdrawn'])).toBe('withdrawn');
  });

  it('a grant wins over no answer', () => {
    expect(mergedConsent(['unknown', 'granted'])).toBe('granted');
    expect(mergedConsent(['granted', 'unknown', 'unknown'])).toBe('granted');
  });

  it('stays unknown when nobody answered', () => {
    expect(mergedConsent(['unknown', 'unknown'])).toBe('unknown');
  });
});
