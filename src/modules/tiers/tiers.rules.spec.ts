import { bestTier, cooperationYears, explainTier } from './tiers.rules';

const today = new Date('2026-11-22T00:00:00Z');
const tiers = [
  { code: 'ordinary', rank: 20, criteria: {} },
  { code: 'strategic', rank: 40, criteria: { minAnnualRevenue: 10_000_000, minCooperationYears: 3, minPotentialScore: 80 } },
  { code: 'core', rank: 30, criteria: { minAnnualRevenue: 1_000_000, minCooperationYears: 1, minPotentialScore: 50 } },
];

describe('cooperationYears', () => {
  it('counts whole years only', () => {
    expect(cooperationYears('2023-11-22', today)).toBe(3);
    expect(cooperationYears('2023-11-23', today)).toBe(2);
    expect(cooperationYears('2027-01-01', today)).toBe(0);
  });
});

describe('bestTier', () => {
  it('tries the highest rank first', () => {
    expect(bestTier(tiers, { annualRevenue: 12_000_000, cooperationSince: '2020-01-01', potentialScore: 90 }, today)?.code).toBe('strategic');
  });

  it('falls to the next tier when one criterion is missed', () => {
    expect(bestTier(tiers, { annualRevenue: 12_000_000, cooperationSince: '2025-01-01', potentialScore: 90 }, today)?.code).toBe('core');
  });

  it('treats unknown values as not meeting a criterion', () => {
    expect(bestTier(tiers, { annualRevenue: null, cooperationSince: null, potentialScore: null }, today)?.code).toBe('ordinary');
  });
});

describe('explainTier', () => {
  it('says why', () => {
    expect(explainTier(tiers[2].criteria, { annualRevenue: 2_000_000, cooperationSince: '2024-01-01', potentialScore: 60 }, today)).toBe(
      'annualRevenue 2000000 ≥ 1000000; cooperationYears 2 ≥ 1; potentialScore 60 ≥ 50',
    );
    expect(explainTier({}, { annualRevenue: null, cooperationSince: null, potentialScore: null }, today)).toMatch(/no criteria/);
  });
});
