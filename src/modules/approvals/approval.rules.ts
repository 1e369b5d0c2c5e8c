import type { Role } from '../../common/auth/roles';
import type { StepKind, StepStatus } from './approval.entity';

export interface Person {
  id: string;
  role: Role;
  departmentId: string;
}

export interface StepView {
  stepNo: number;
  kind: StepKind;
  departmentId: string | null;
  status: StepStatus;
}

/** The step waiting for a decision: the first pending one in order. */
export function currentStep<T extends { stepNo: number; status: StepStatus }>(steps: T[]): T | undefined {
  return [...steps].sort((a, b) => a.stepNo - b.stepNo).find((s) => s.status === 'pending');
}

/**
 * Why `caller` may not decide `step` of `requester`'s request, or undefined when they may.
 * Nobody decides their own request. A department-manager step is decided by a manager of that
 * department; when no one but the requester holds that post, an admin decides it instead.
 */
export function decisionProblem(
  caller: Person,
  step: Pick<StepView, 'kind' | 'departmentId'>,
  requester: Person,
  otherManagerExists: boolean,
): 'SELF_APPROVAL' | 'NOT_YOUR_STEP' | undefined {
  if (caller.id === requester.id) return 'SELF_APPROVAL';
  if (step.kind === 'admin') return caller.role === 'admin' ? undefined : 'NOT_YOUR_STEP';
  if (caller.role === 'manager' && caller.departmentId === step.departmentId) return undefined;
  if (caller.role === 'admin' && !otherManagerExists) return undefined;
  return 'NOT_YOUR_STEP';
}
