import { DomainError } from './errors/domain-error';
import { Cursors, openCursor, sealCursor, toPage } from './pagination';

const key = Buffer.alloc(32, 7);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'no error';
};

describe('cursors', () => {
  it('round-trips a sort key', () => {
    expect(openCursor(key, 'users', sealCursor(key, 'users', ['li', '0b0c']), 2)).toEqual(['li', '0b0c']);
    expect(openCursor(key, 'users', undefined, 2)).toBeUndefined();
  });

  const unsigned = Buffer.from(JSON.stringify(['li', '0b0c'])).toString('base64url');
  const genuine = sealCursor(key, 'users', ['li', '0b0c']);
  const flipped = genuine.slice(0, 3) + (genuine[3] === 'A' ? 'B' : 'A') + genuine.slice(4);
  it.each([
    ['garbage', 'garbage'],
    ['an unsigned payload (the old format)', unsigned],
    ['a forged signature', `${unsigned}.${Buffer.alloc(32).toString('base64url')}`],
    ['a payload byte flipped', flipped],
    ['a truncated signature', genuine.slice(0, -2)],
    ['an extra part', `${genuine}.x`],
    ["another list's cursor", sealCursor(key, 'approvals', ['li', '0b0c'])],
    ['another key', sealCursor(Buffer.alloc(32, 8), 'users', ['li', '0b0c'])],
    ['a signed value of the wrong shape', sealCursor(key, 'users', ['only-one'])],
  ])('refuses %s as INVALID_CURSOR', (_what, cursor) => {
    expect(code(() => openCursor(key, 'users', cursor, 2))).toBe('INVALID_CURSOR');
  });

  it('gives a next cursor only when more rows exist', () => {
    const cursors = new Cursors('a-secret-of-at-least-thirty-two-bytes!');
    const rows = [{ k: 'a' }, { k: 'b' }, { k: 'c' }];
    const page = cursors.page('letters', rows, 2, (r) => r.k, (r) => [r.k]);
    expect(page.items).toEqual(['a', 'b']);
    expect(cursors.decode('letters', page.nextCursor!, 1)).toEqual(['b']);
    expect(toPage(rows, 3, (r) => r.k, () => 'never').nextCursor).toBeNull();
  });
});
