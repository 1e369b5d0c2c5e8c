import { bestTier, cooperationYears, explainTier, isPinned } from './tiers.rules';

const today = new Date('2026-11-22T00:00:00Z');
const tiers = [
  { code: 'ordinary', rank: 20, criteria: {} },
  { code: 'strategic', rank: 40, criteria: { minAnnualRevenue: 10_000_000, minCooperationYears: 3, minPotentialScore: 80 } },
  { code: 'core', rank: 30, criteria: { minAnnualRevenue: 1_000_000, minCooperationYears: 1, minPotentialScore: 50 } },
  { code: 'dormant', rank: 10, criteria: {} },
];
const none = { annualRevenue: null, cooperationSince: null, potentialScore: null, interactions90d: 0 };

describe('cooperationYears', () => {
  it('counts whole years only', () => {
    expect(cooperationYears('2023-11-22', today)).toBe(3);
    expect(cooperationYears('2023-11-23', today)).toBe(2);
    expect(cooperationYears('2027-01-01', today)).toBe(0);
  });
});

describe('bestTier', () => {
  it('tries the highest rank first', () => {
    expect(bestTier(tiers, { ...none, annualRevenue: 12_000_000, cooperationSince: '2020-01-01', potentialScore: 90 }, today)?.code).toBe('strategic');
  });

  it('falls to the next tier when one criterion is missed', () => {
    expect(bestTier(tiers, { ...none, annualRevenue: 12_000_000, cooperationSince: '2025-01-01', potentialScore: 90 }, today)?.code).toBe('core');
  });

  it('treats unknown values as not meeting a criterion', () => {
    expect(bestTier(tiers, none, today)?.code).toBe('ordinary');
  });

  it('counts activity: interactions in the last 90 days', () => {
    const active = [...tiers, { code: 'active', rank: 25, criteria: { minInteractions90d: 3 } }];
    expect(bestTier(active, { ...none, interactions90d: 3 }, today)?.code).toBe('active');
    expect(bestTier(active, { ...none, interactions90d: 2 }, today)?.code).toBe('ordinary');
  });

  it('never gives the dormant tier, even when nothing else matches', () => {
    const onlyDormantOpen = [{ code: 'core', rank: 30, criteria: { minPotentialScore: 50 } }, { code: 'dormant', rank: 10, criteria: {} }];
    expect(bestTier(onlyDormantOpen, none, today)).toBeUndefined();
  });
});

describe('explainTier', () => {
  it('says why', () => {
    expect(explainTier(tiers[2].criteria, { annualRevenue: 2_000_000, cooperationSince: '2024-01-01', potentialScore: 60, interactions90d: 0 }, today)).toBe(
      'annualRevenue 2000000 ≥ 1000000; cooperationYears 2 ≥ 1; potentialScore 60 ≥ 50',
    );
    expect(explainTier({ minInteractions90d: 2 }, { ...none, interactions90d: 4 }, today)).toBe('interactions90d 4 ≥ 2');
    expect(explainTier({ minInteractions90d: 2 }, { ...none, interactions90d: 1 }, today)).toBeUndefined();
    expect(explainTier({}, none, today)).toMatch(/no criteria/);
  });
});

describe('isPinned', () => {
  it('holds until released or until its expiry passes', () => {
    expect(isPinned({ pinned: true, pinnedUntil: null }, today)).toBe(true);
    expect(isPinned({ pinned: true, pinnedUntil: new Date('2026-11-22T00:00:01Z') }, today)).toBe(true);
    expect(isPinned({ pinned: true, pinnedUntil: today }, today)).toBe(false);
    expect(isPinned({ pinned: false, pinnedUntil: null }, today)).toBe(false);
  });
});
