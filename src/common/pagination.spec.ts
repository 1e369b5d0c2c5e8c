import { DomainError } from './errors/domain-error';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursors', () => {
  it('round-trips a sort key', () => {
    expect(decodeCursor(encodeCursor(['li', '0b0c']), 2)).toEqual(['li', '0b0c']);
  });

  it.each(['garbage', encodeCursor(['only-one']), encodeCursor([{} as never, 1])])('refuses a forged cursor %s', (cursor) => {
    expect(() => decodeCursor(cursor, 2)).toThrow(DomainError);
  });

  it('gives a next cursor only when more rows exist', () => {
    const rows = [{ k: 'a' }, { k: 'b' }, { k: 'c' }];
    const page = toPage(rows, 2, (r) => r.k, (r) => [r.k]);
    expect(page.items).toEqual(['a', 'b']);
    expect(decodeCursor(page.nextCursor!, 1)).toEqual(['b']);
    expect(toPage(rows, 3, (r) => r.k, (r) => [r.k]).nextCursor).toBeNull();
  });
});
