/** What a contact needs for the rule below. */
export interface ReachableContact {
  id: string;
  status: string;
  mobileHash: unknown;
}

const reachable = (c: ReachableContact) => c.status === 'active' && c.mobileHash !== null && c.mobileHash !== undefined;

/**
 * Seed 001: a customer keeps a name and a mobile number to reach it by. A contact may leave unless
 * it is the customer's last active contact with a mobile.
 */
export function leavesCustomerUnreachable(leaving: ReachableContact, contacts: readonly ReachableContact[]): boolean {
  return reachable(leaving) && !contacts.some((c) => c.id !== leaving.id && reachable(c));
}
