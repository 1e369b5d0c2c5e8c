/** Pure rules of sales opportunities (销售机会, seed 004 §3.3). */
import type { StageOutcome } from './opportunity.entity';

export interface StageRow {
  code: string;
  outcome: StageOutcome;
}

export interface StageChangeInput {
  reason?: string | null;
  finalAmount?: number | null;
}

export interface RuleProblem {
  code: 'REASON_REQUIRED' | 'FINAL_AMOUNT_REQUIRED';
  field: 'reason' | 'finalAmount';
  message: string;
}

export const isClosed = (stage: StageRow) => stage.outcome !== 'open';

/**
 * What a stage change lacks, or undefined: moving to a lost stage needs the reason (输单原因), to a
 * won stage the final amount, and reopening a closed opportunity (leaving won or lost) a reason.
 */
export function stageChangeProblem(from: StageRow, to: StageRow, input: StageChangeInput): RuleProblem | undefined {
  if (from.code === to.code) return undefined;
  const hasReason = typeof input.reason === 'string' && input.reason.trim().length > 0;
  if (to.outcome === 'lost' && !hasReason) return { code: 'REASON_REQUIRED', field: 'reason', message: 'Moving an opportunity to a lost stage needs the reason it was lost' };
  if (to.outcome === 'won' && (input.finalAmount === undefined || input.finalAmount === null)) {
    return { code: 'FINAL_AMOUNT_REQUIRED', field: 'finalAmount', message: 'Moving an opportunity to a won stage needs the final amount' };
  }
  if (isClosed(from) && !hasReason) return { code: 'REASON_REQUIRED', field: 'reason', message: 'Reopening a won or lost opportunity needs a reason' };
  return undefined;
}

/** What a stage change sets besides the stage: the closing time, and the lost reason or final amount (cleared on reopening). */
export function closingFields(to: StageRow, input: StageChangeInput, now: Date): { closedAt: Date | null; lostReason: string | null; finalAmount: number | null } {
  if (to.outcome === 'open') return { closedAt: null, lostReason: null, finalAmount: null };
  return to.outcome === 'lost'
    ? { closedAt: now, lostReason: input.reason!.trim(), finalAmount: null }
    : { closedAt: now, lostReason: null, finalAmount: input.finalAmount! };
}

export interface StageDefinition {
  code: string;
  name: string;
  defaultProbability: number;
  outcome: StageOutcome;
}

/** Why a list of stages cannot replace the current one, or undefined: unique codes and names, at least one open, one won and one lost stage. */
export function stagesProblem(stages: readonly StageDefinition[]): string | undefined {
  if (new Set(stages.map((s) => s.code)).size !== stages.length) return 'stage codes must be unique';
  if (new Set(stages.map((s) => s.name.trim())).size !== stages.length) return 'stage names must be unique';
  for (const outcome of ['open', 'won', 'lost'] as const) {
    if (!stages.some((s) => s.outcome === outcome)) return `at least one stage must be ${outcome}`;
  }
  const bad = stages.find((s) => (s.outcome === 'won' && s.defaultProbability !== 100) || (s.outcome === 'lost' && s.defaultProbability !== 0));
  if (bad) return `stage ${bad.code}: a won stage has probability 100 and a lost stage 0`;
  return undefined;
}

/**
 * The probability an opportunity gets on entering a stage: a closed stage's (100 or 0) always;
 * in an open stage the one given, else the stage's default.
 */
export function probabilityFor(to: StageRow & { defaultProbability: number }, given: number | undefined): number {
  if (to.outcome !== 'open') return to.defaultProbability;
  return given ?? to.defaultProbability;
}

/**
 * Who may own an opportunity: the customer's owner by default; a manager of the customer's
 * department or an admin may name another active member of that department who can own customers.
 */
export function ownerProblem(
  caller: { id: string; role: string; departmentId: string },
  customer: { ownerId: string; departmentId: string },
  proposed: { id: string; active: boolean; role: string; departmentId: string } | undefined,
): string | undefined {
  if (!proposed) return 'ownerId does not name a user';
  if (proposed.id === customer.ownerId) return undefined;
  const mayAssign = caller.role === 'admin' || (caller.role === 'manager' && caller.departmentId === customer.departmentId);
  if (!mayAssign) return 'only a manager of the customer\'s department or an admin may give an opportunity another owner than the customer\'s';
  if (!proposed.active) return 'ownerId names a deactivated user';
  if (proposed.departmentId !== customer.departmentId) return 'ownerId must be a member of the customer\'s department';
  if (!['sales', 'manager', 'admin'].includes(proposed.role)) return 'ownerId names a user whose role cannot own customers';
  return undefined;
}
