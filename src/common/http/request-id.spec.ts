import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-id';

const withHeader = (value?: string | string[]) => ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as unknown as IncomingMessage;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it.each(['3f1c9a52-0d4e-4b8a-9c1e-2b7d5e6f8a90', 'gw-2026.03.01_abc', 'x'.repeat(64), 'A'])('keeps %s', (id) => {
    expect(requestIdFor(withHeader(id))).toBe(id);
  });

  it.each([
    ['too long', 'x'.repeat(65)],
    ['a colon', 'trace:123'],
    ['spaces', 'a b'],
    ['a line break', 'abc\ninjected'],
    ['markup', '<script>'],
    ['non-ASCII', '请求一'],
    ['empty', ''],
  ])('replaces an id with %s by a fresh UUID', (_what, id) => {
    expect(requestIdFor(withHeader(id))).toMatch(UUID);
  });

  it('makes one when none or several are sent', () => {
    expect(requestIdFor(withHeader())).toMatch(UUID);
    expect(requestIdFor(withHeader(['a', 'b']))).toMatch(UUID);
  });
});
