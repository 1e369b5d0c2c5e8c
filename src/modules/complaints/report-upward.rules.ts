/**
 * 共性问题上报 (seed 004 §3.2): a request or a complaint is reported upward to management as a
 * common issue, under a short topic that groups it with others of its kind.
 */

export const TOPIC_MAX_LENGTH = 50;

/**
 * Who may flag (or unflag) a case: an admin, a manager who sees it, or the person it is assigned
 * to. Reporting upward is a judgement of whoever is responsible for the case or the department:
 * service and sales staff who merely see it (and auditors and marketing, who change nothing) may not.
 */
export function mayReportUpward(caller: { id: string; role: string }, assigneeId: string | null): boolean {
  if (caller.role === 'admin' || caller.role === 'manager') return true;
  if (caller.role === 'auditor' || caller.role === 'marketing') return false;
  return assigneeId !== null && assigneeId === caller.id;
}

/** One spelling per topic: inner whitespace collapsed, so that "交货 延迟" and "交货  延迟" group together. */
export function normalizedTopic(topic: string): string {
  return topic.trim().replace(/\s+/g, ' ');
}
