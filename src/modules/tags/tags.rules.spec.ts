import { cleanTagName, exclusiveClashes, tagNameKey, tagNameProblem } from './tags.rules';

describe('tag names', () => {
  it('trims, folds width and collapses spaces', () => {
    expect(cleanTagName('  高 　意向  ')).toBe('高 意向');
    expect(cleanTagName('ＶＩＰ')).toBe('VIP');
  });

  it('compares case-insensitively', () => expect(tagNameKey(' VIP ')).toBe(tagNameKey('vip')));

  it.each([
    ['', 'must be 1 to 30 characters'],
    ['x'.repeat(31), 'must be 1 to 30 characters'],
    ['a,b', 'may not contain commas or control characters'],
    ['甲，乙', 'may not contain commas or control characters'],
    ['tab\there', 'may not contain commas or control characters'],
  ])('refuses %p', (name, problem) => expect(tagNameProblem(name)).toBe(problem));

  it('accepts 30 characters', () => expect(tagNameProblem('字'.repeat(30))).toBeUndefined());

  it('checks the stored key too: lower-casing İ gives two characters', () => {
    expect('İ'.toLowerCase()).toHaveLength(2);
    expect(tagNameProblem('İ'.repeat(15))).toBeUndefined();
    expect(tagNameProblem('İ'.repeat(16))).toBe('must stay within 30 characters once lower-cased');
  });
});

describe('exclusiveClashes', () => {
  it('finds a second tag of the same exclusive group', () => {
    expect(
      exclusiveClashes([
        { id: 'a', groupId: 'g1', exclusive: true },
        { id: 'b', groupId: 'g1', exclusive: true },
        { id: 'c', groupId: 'g2', exclusive: false },
        { id: 'd', groupId: 'g2', exclusive: false },
      ]),
    ).toEqual(['b']);
  });
});
