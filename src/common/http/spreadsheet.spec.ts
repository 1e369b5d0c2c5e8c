import { spreadsheetSafe } from './spreadsheet';

describe('spreadsheetSafe', () => {
  it.each(['=1+2', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '+8613912345678'])('keeps %j from running as a formula', (cell) => {
    expect(spreadsheetSafe(cell)).toBe(`'${cell}`);
  });

  it('leaves ordinary text alone', () => {
    expect(spreadsheetSafe('华东销售部')).toBe('华东销售部');
    expect(spreadsheetSafe('{"a":1}')).toBe('{"a":1}');
    expect(spreadsheetSafe('2026-11-22T10:00:00.000Z')).toBe('2026-11-22T10:00:00.000Z');
    expect(spreadsheetSafe('')).toBe('');
  });
});
