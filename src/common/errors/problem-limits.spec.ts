import { boundedFieldErrors, catalogueOutOfBounds, clip, PROBLEM_LIMITS } from './problem-limits';

describe('problem limits', () => {
  it('keeps every code, title and type of the catalogue within the bounds the contract states', () => {
    expect(catalogueOutOfBounds()).toEqual([]);
  });

  it('clips long text to the bound with an ellipsis, without splitting a surrogate pair', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('ab…');
    expect(clip('a😀b', 3)).toBe('a…');
    expect(clip('x'.repeat(5000), PROBLEM_LIMITS.detail)).toHaveLength(PROBLEM_LIMITS.detail);
  });

  it('keeps at most 100 field errors, each field and message clipped', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ field: `f${i}`.padEnd(400, 'x'), message: 'm'.repeat(600) }));
    const bounded = boundedFieldErrors(many)!;
    expect(bounded).toHaveLength(PROBLEM_LIMITS.errors);
    expect(bounded[0].field).toHaveLength(PROBLEM_LIMITS.field);
    expect(bounded[0].message).toHaveLength(PROBLEM_LIMITS.message);
  });
});
