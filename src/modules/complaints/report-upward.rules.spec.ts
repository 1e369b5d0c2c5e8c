import { mayReportUpward, normalizedTopic } from './report-upward.rules';

describe('mayReportUpward', () => {
  const me = 'a8c1e4f0-0000-4000-8000-000000000001';
  it.each([
    ['admin', null, true],
    ['manager', null, true],
    ['service', me, true],
    ['sales', me, true],
    ['service', null, false],
    ['sales', 'b8c1e4f0-0000-4000-8000-000000000002', false],
    ['auditor', me, false],
    ['marketing', me, false],
  ])('%s, assignee %s: %s', (role, assigneeId, expected) => {
    expect(mayReportUpward({ id: me, role }, assigneeId)).toBe(expected);
  });
});

describe('normalizedTopic', () => {
  it('trims and collapses inner whitespace', () => {
    expect(normalizedTopic('  交货\t 延迟 ')).toBe('交货 延迟');
  });
});
