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
 * Nobody decides two steps of one request: `deciderOfOtherSteps` are those who decided the others.
 */
export function decisionProblem(
  caller: Person,
  step: Pick<StepView, 'kind' | 'departmentId'>,
  requester: Person,
  otherManagerExists: boolean,
  deciderOfOtherSteps: readonly string[] = [],
): 'SELF_APPROVAL' | 'NOT_YOUR_STEP' | 'SAME_APPROVER' | undefined {
  if (caller.id === requester.id) return 'SELF_APPROVAL';
  if (!holdsPost(caller, step, otherManagerExists)) return 'NOT_YOUR_STEP';
  return deciderOfOtherSteps.includes(caller.id) ? 'SAME_APPROVER' : undefined;
}

function holdsPost(caller: Person, step: Pick<StepView, 'kind' | 'departmentId'>, otherManagerExists: boolean): boolean {
  if (step.kind === 'admin') return caller.role === 'admin';
  if (caller.role === 'manager' && caller.departmentId === step.departmentId) return true;
  return caller.role === 'admin' && !otherManagerExists;
}

/** An active person who might decide a step, as loaded when a request is made. */
export interface Candidate {
  id: string;
  role: Role;
  departmentId: string;
}

/**
 * Who may decide each step of a request made by `requesterId`, mirroring decisionProblem: a
 * department step goes to that department's managers other than the requester, or to the admins
 * when there are none; an admin step to the admins other than the requester.
 */
export function stepCandidates(steps: Pick<StepView, 'kind' | 'departmentId'>[], requesterId: string, people: Candidate[]): string[][] {
  const others = people.filter((p) => p.id !== requesterId);
  const admins = others.filter((p) => p.role === 'admin').map((p) => p.id);
  return steps.map((step) => {
    if (step.kind === 'admin') return admins;
    const managers = others.filter((p) => p.role === 'manager' && p.departmentId === step.departmentId).map((p) => p.id);
    return managers.length > 0 ? managers : admins;
  });
}

/**
 * One different person for every step (candidates[i] are the people who may decide step i), or
 * undefined when no such assignment exists: two approvals must mean two people. A bipartite
 * matching by augmenting paths; requests have a handful of steps, so this is tiny.
 */
export function independentDeciders(candidates: readonly (readonly string[])[]): string[] | undefined {
  const stepOf = new Map<string, number>();
  const place = (step: number, tried: Set<string>): boolean => {
    for (const person of candidates[step]) {
      if (tried.has(person)) continue;
      tried.add(person);
      const taken = stepOf.get(person);
      // Free, or whoever holds them can move to another of their candidates.
      if (taken === undefined || place(taken, tried)) {
        stepOf.set(person, step);
        return true;
      }
    }
    return false;
  };
  for (let step = 0; step < candidates.length; step += 1) {
    if (!place(step, new Set())) return undefined;
  }
  const deciders = new Array<string>(candidates.length);
  for (const [person, step] of stepOf) deciders[step] = person;
  return deciders;
}
