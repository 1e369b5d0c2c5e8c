import { evaluateQuality, normalizeLandline, percentage, QualitySubject, reviewPeriodDays, stageFitsTier } from './data-quality.rules';

const now = new Date('2026-06-30T00:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

/** A record that passes every rule: core tier (14-day cadence, 90-day reviews), touched 3 days ago, reviewed 10 days ago. */
const good = (overrides: Partial<QualitySubject> = {}): QualitySubject => ({
  name: '上海示例机械有限公司',
  industry: '制造业',
  kind: 'organization',
  stage: 'customer',
  tierCode: 'core',
  cadenceDays: 14,
  annualRevenue: '1200000.00',
  creditCode: '91310000MA1FL4CT3U',
  createdAt: daysAgo(400),
  updatedAt: daysAgo(20),
  lastInteractionAt: daysAgo(3),
  reviewedAt: daysAgo(10),
  contacts: [{ status: 'active', isPrimary: true, mobile: '+8613912345678', mobileUnreadable: false }],
  duplicateIds: [],
  ...overrides,
});

describe('evaluateQuality', () => {
  it('passes a complete, valid, consistent and current record, and says when it must be looked at again', () => {
    // contact due 3 + 14 → in 11 days; review due 10 + 90 → in 80 days: the earlier counts.
    expect(evaluateQuality(good(), now)).toEqual({ failing: [], recheckAt: new Date(now.getTime() + 11 * 86_400_000) });
  });

  it('completeness: blank name, no industry, no kind, no active contact with a mobile', () => {
    const r = evaluateQuality(good({ name: '  ', industry: null, kind: null, contacts: [{ status: 'left', isPrimary: false, mobile: '+8613912345678', mobileUnreadable: false }] }), now);
    expect(r.failing).toEqual(['missing_name', 'missing_industry', 'missing_kind', 'missing_mobile_contact']);
  });

  it('accuracy: a mobile that does not parse, an unreadable one, a credit code failing its check digit', () => {
    expect(evaluateQuality(good({ contacts: [{ status: 'active', isPrimary: true, mobile: '12345', mobileUnreadable: false }] }), now).failing).toEqual(['invalid_mobile']);
    expect(evaluateQuality(good({ contacts: [{ status: 'active', isPrimary: true, mobile: null, mobileUnreadable: true }] }), now).failing).toEqual(['invalid_mobile']);
    // the same code with its last character changed
    expect(evaluateQuality(good({ creditCode: '91310000MA1FL4CT3X' }), now).failing).toEqual(['invalid_credit_code']);
  });

  it('consistency: stage against tier, a strategic tier without revenue, a primary contact who left', () => {
    expect(evaluateQuality(good({ stage: 'potential' }), now).failing).toEqual(['stage_tier_mismatch']);
    expect(evaluateQuality(good({ tierCode: 'strategic', cadenceDays: 30, annualRevenue: null }), now).failing).toEqual(['strategic_without_revenue']);
    const left = [
      { status: 'left', isPrimary: true, mobile: '+8613912345678', mobileUnreadable: false },
      { status: 'active', isPrimary: false, mobile: '+8613812345678', mobileUnreadable: false },
    ];
    expect(evaluateQuality(good({ contacts: left }), now).failing).toEqual(['primary_contact_left']);
  });

  it('timeliness: nothing within the cadence, no review within the period (exactly at the deadline counts as late)', () => {
    const stale = good({ updatedAt: daysAgo(14), lastInteractionAt: daysAgo(15) });
    expect(evaluateQuality(stale, now).failing).toEqual(['contact_overdue']);
    expect(evaluateQuality(good({ reviewedAt: daysAgo(90) }), now).failing).toEqual(['review_overdue']);
    // never reviewed: the period counts from creation; ordinary tier is half-yearly
    expect(evaluateQuality(good({ tierCode: 'ordinary', cadenceDays: 30, reviewedAt: null, createdAt: daysAgo(179), stage: 'prospect' }), now).failing).toEqual([]);
    expect(evaluateQuality(good({ tierCode: 'ordinary', cadenceDays: 30, reviewedAt: null, createdAt: daysAgo(181), stage: 'prospect' }), now).failing).toEqual(['review_overdue']);
  });

  it('duplicates: any match found makes the record a suspected duplicate', () => {
    expect(evaluateQuality(good({ duplicateIds: ['x'] }), now).failing).toEqual(['suspected_duplicate']);
  });

  it('no timeliness deadline left when both have passed', () => {
    expect(evaluateQuality(good({ updatedAt: daysAgo(200), lastInteractionAt: null, reviewedAt: null }), now).recheckAt).toBeNull();
  });
});

describe('helpers', () => {
  it('stageFitsTier', () => {
    expect([stageFitsTier('strategic', 'ordinary'), stageFitsTier('strategic', 'core'), stageFitsTier('potential', 'strategic'), stageFitsTier('prospect', 'strategic'), stageFitsTier('potential', null)]).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  it('reviewPeriodDays', () => {
    expect([reviewPeriodDays('strategic'), reviewPeriodDays('core'), reviewPeriodDays('ordinary'), reviewPeriodDays(null)]).toEqual([90, 90, 180, 180]);
  });

  it('normalizeLandline folds separators and the country code', () => {
    expect(normalizeLandline('021-6234 5678')).toBe('02162345678');
    expect(normalizeLandline('+86 21 6234 5678')).toBe('02162345678');
    expect(normalizeLandline('12')).toBeUndefined();
    expect(normalizeLandline(null)).toBeUndefined();
  });

  it('percentage', () => {
    expect([percentage(2, 3), percentage(0, 0), percentage(3, 3)]).toEqual([66.7, null, 100]);
  });
});
