import { hostileInputProblem, MAX_INPUT_DEPTH } from './validation';

describe('hostileInputProblem', () => {
  it('lets ordinary text through, CJK and emoji (paired surrogates) included', () => {
    expect(hostileInputProblem({ name: '华为技术有限公司 😀', contacts: [{ email: 'a@b.cn' }], n: 3, ok: null }, '')).toBeUndefined();
  });

  it.each([
    [{ name: 'a\u0000b' }, 'name'],
    [{ contacts: [{ name: 'ok' }, { name: '\ud800' }] }, 'contacts[1].name'],
    [{ note: 'x\udc00y' }, 'note'],
    [{ note: 'end\ud83d' }, 'note'],
    [{ ['k\u0000']: 1 }, 'k\u0000'],
  ])('names the field of %j', (value, field) => {
    expect(hostileInputProblem(value, '')?.field).toBe(field);
  });

  it('names a path parameter by its name', () => {
    expect(hostileInputProblem('2026-01-01\u0000', 'date')).toEqual({ field: 'date', message: expect.stringContaining('NUL') });
  });

  it('refuses nesting deeper than any route defines, without recursion', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(hostileInputProblem({ a: deep }, '')?.message).toMatch(/nested too deeply/);
    let fine: unknown = 'x';
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) fine = [fine];
    expect(hostileInputProblem(fine, '')).toBeUndefined();
  });
});
