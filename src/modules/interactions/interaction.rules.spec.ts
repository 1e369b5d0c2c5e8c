import { earliestOccurredAt, occurredAtProblem, summaryProblem } from './interaction.rules';

describe('summaryProblem', () => {
  it.each(['电话回访，客户满意', '电话回访客', '上门拜访，介绍新品', 'Called, ok', '  客户确认订单  ', 'PO 123'])('accepts %p', (text) => {
    expect(summaryProblem(text)).toBeUndefined();
  });

  it.each(['', '    ', '电话回访', '  好的  ', 'ok!!'])('refuses %p as too short', (text) => {
    expect(summaryProblem(text)).toMatch(/at least 5 characters/);
  });

  it.each(['。。。。。', '-----', '……！！？？', '. . . . .', '@#$%^&'])('refuses %p as punctuation or symbols only', (text) => {
    expect(summaryProblem(text)).toMatch(/not only punctuation/);
  });

  it.each(['aaaaa', 'AaAaA', '好好好好好', '11111', 'a.a.a.a.a', '哈 哈 哈'])('refuses %p as one character repeated', (text) => {
    expect(summaryProblem(text)).toMatch(/one character repeated/);
  });

  it('counts characters, not UTF-16 units', () => {
    // four astral-plane characters are eight UTF-16 units but four characters
    expect(summaryProblem('𠀀𠀁𠀂𠀃')).toMatch(/at least 5/);
    expect(summaryProblem('𠀀𠀁𠀂𠀃𠀄')).toBeUndefined();
  });
});

describe('occurredAtProblem', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const created = new Date('2026-06-15T08:00:00Z');

  it('accepts now, the past, and up to 5 minutes of clock skew', () => {
    expect(occurredAtProblem(now, now, created)).toBeUndefined();
    expect(occurredAtProblem(new Date('2026-12-01T12:05:00Z'), now, created)).toBeUndefined();
    expect(occurredAtProblem(new Date('2025-06-15T08:00:00Z'), now, created)).toBeUndefined();
  });

  it('refuses more than 5 minutes ahead of the clock', () => {
    expect(occurredAtProblem(new Date('2026-12-01T12:05:00.001Z'), now, created)).toMatch(/future/);
    expect(occurredAtProblem(new Date('2099-01-01T00:00:00Z'), now, created)).toMatch(/future/);
  });

  it('refuses more than a year before the customer was created', () => {
    expect(earliestOccurredAt(created).toISOString()).toBe('2025-06-15T08:00:00.000Z');
    expect(occurredAtProblem(new Date('2025-06-15T07:59:59.999Z'), now, created)).toMatch(/year before the customer was created/);
    expect(occurredAtProblem(new Date('1000-01-01T00:00:00Z'), now, created)).toMatch(/year before/);
  });
});
