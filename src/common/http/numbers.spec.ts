import { hasAtMostDecimals } from './numbers';

describe('hasAtMostDecimals', () => {
  it.each([0, 1, 123.45, 0.01, 9_999_999_999_999.99, 12000000, -5.5])('accepts %p with 2 places', (value) => {
    expect(hasAtMostDecimals(value, 2)).toBe(true);
  });

  it.each([1e-7, 1.5e-3, 12.345, 0.1 + 0.2, Number.NaN, Infinity, 1e21, '12', null])('refuses %p with 2 places, without throwing', (value) => {
    expect(hasAtMostDecimals(value, 2)).toBe(false);
  });
});
