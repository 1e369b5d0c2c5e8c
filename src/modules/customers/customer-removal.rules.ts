import type { ConsentStatus } from './customer.entity';

/**
 * The survivor's marketing consent after a merge: a withdrawal standing on any of the merged
 * records wins over a grant (the person said no on one of their records, and a merge must not
 * undo it); a grant standing on any of them wins over `unknown` (unknown is the absence of an
 * answer, and the grant's evidence moves with the consent history). The survivor can be granted
 * again afterwards, with fresh evidence, through POST /customers/:id/consent.
 */
export function mergedConsent(statuses: readonly ConsentStatus[]): ConsentStatus {
  if (statuses.includes('withdrawn')) return 'withdrawn';
  if (statuses.includes('granted')) return 'granted';
  return 'unknown';
}

/** A row a merge, a deletion or a transfer moved, and the customer it came from. */
export interface MovedRow {
  id: string;
  fromCustomerId: string;
}
