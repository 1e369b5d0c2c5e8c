import type { Transactions } from '../database/transactions';
import { DomainError } from './errors/domain-error';

/**
 * How many of a kind the service keeps, so that every list it answers with has a bound the
 * contract can state (maxItems). Creating one more answers 422 LIMIT_REACHED and writes nothing.
 */
export const LIMITS = {
  /** Contacts of one customer, whatever their status (a merge that would exceed it fails too). */
  contactsPerCustomer: 50,
  departments: 200,
  tiers: 50,
  tagGroups: 50,
  /** Company tags in one group, and, separately, each user's personal tags in one group. */
  tagsPerGroupPerOwner: 100,
  /** Versions of one interaction record: the original and its corrections. */
  interactionVersions: 100,
} as const;

/**
 * Lists that grow with time and that the service cuts rather than refuse to grow (consent
 * records and tier changes are evidence; complaint events are written by the system): an
 * answer holds at most this many, the newest, and says so in the contract. The full record stays
 * in the database and in the audit log.
 */
export const SHOWN = {
  consents: 100,
  tierChanges: 100,
  complaintEvents: 500,
  escalatedTo: 100,
  /** Exact duplicates named by one duplicate check (or one refused create). */
  duplicates: 50,
  /** Complaints one SLA sweep marks; the next run (every minute) takes the rest. */
  sweepBatch: 1000,
  /** Customers of departed owners listed at once (succession takes at most 500 per request). */
  unassigned: 5000,
} as const;

/** Tags one caller can see in one group: the company's and their own personal ones. */
export const VISIBLE_TAGS_PER_GROUP = 2 * LIMITS.tagsPerGroupPerOwner;

/**
 * Refuses with 422 LIMIT_REACHED when `count` (a repository's count, run under a transaction-level
 * advisory lock on `key`, so that of two creations at once the second counts the first) is already
 * at `limit`. Call it inside the creating transaction, before the insert.
 */
export async function requireBelowLimit(transactions: Transactions, key: string, limit: number, count: () => Promise<number>, what: string): Promise<void> {
  await transactions.manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  if ((await count()) >= limit) throw new DomainError('LIMIT_REACHED', `There can be at most ${limit} ${what}`);
}
