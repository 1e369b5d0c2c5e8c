import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * Bounds of what an audit entry holds, as the contract states them. Reasons come from inputs of
 * at most 1,000 characters or from a problem's detail (at most 2,000); a longer one is cut. The
 * changed fields are the top-level keys of a snapshot the code builds: a snapshot beyond these
 * is a programming error and fails the change.
 */
export const AUDIT_LIMITS = { reason: 2000, changedFields: 100, fieldName: 100, id: 20 } as const;

export const GENESIS_HASH = '0'.repeat(64);

type Json = Record<string, unknown>;

/** Exactly the fields the hash covers, in the form they are read back from the database. */
export interface ChainedEntry {
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: Json | null;
  after: Json | null;
  changedFields: string[];
  reason: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** hash = SHA-256(prevHash || RFC 8785 canonical JSON of the entry), hex. */
export function chainHash(prevHash: string, entry: ChainedEntry): string {
  return createHash('sha256')
    .update(prevHash + canonicalize(entry))
    .digest('hex');
}

const SECRET_KEY = /pass(word)?|secret|token|hash$/i;

/** Makes a snapshot JSON-safe (dates to ISO strings, undefined dropped) and strips secrets. */
export function toSnapshot(value: object | null | undefined): Json | null {
  if (value === null || value === undefined) return null;
  const plain = JSON.parse(JSON.stringify(value)) as Json;
  for (const key of Object.keys(plain)) if (SECRET_KEY.test(key)) delete plain[key];
  return plain;
}

const same = (a: unknown, b: unknown) => canonicalize(a) === canonicalize(b);

/**
 * Before and after of an update keep only the fields that changed; a create keeps the whole
 * after, a removal the whole before.
 */
export function diffSnapshots(
  before: Json | null,
  after: Json | null,
): { before: Json | null; after: Json | null; changedFields: string[] } {
  if (before === null || after === null) {
    const fields = Object.keys(before ?? after ?? {}).sort();
    return { before, after, changedFields: fields };
  }
  const changedFields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !same(before[key], after[key]))
    .sort();
  const pick = (source: Json) =>
    Object.fromEntries(changedFields.filter((key) => key in source).map((key) => [key, source[key]]));
  return { before: pick(before), after: pick(after), changedFields };
}

/** Walks rows in id order and reports the first whose prevHash or hash does not fit the chain. */
export class ChainVerifier {
  private expectedPrev: string;
  private nextId: bigint;
  checked = 0;
  firstBrokenId: string | null = null;

  /** Starts at `firstId`, whose prevHash must be `prevHashBeforeRange` (the hash of the entry before, or genesis). */
  constructor(prevHashBeforeRange: string = GENESIS_HASH, firstId = '1') {
    this.expectedPrev = prevHashBeforeRange;
    this.nextId = BigInt(firstId);
  }

  accept(entry: ChainedEntry, stored: { prevHash: string; hash: string }): boolean {
    if (this.firstBrokenId !== null) return false;
    this.checked += 1;
    if (stored.prevHash !== this.expectedPrev || chainHash(stored.prevHash, entry) !== stored.hash) {
      this.firstBrokenId = entry.id;
      return false;
    }
    this.expectedPrev = stored.hash;
    this.nextId = BigInt(entry.id) + 1n;
    return true;
  }

  /**
   * After the last row: the walk must have reached `lastId` (with `lastHash`, the chain head's). Rows
   * missing at the very end leave no later row to notice them; this does. Names the first missing
   * id, or the last id when its hash is not the head's.
   */
  expectEnd(lastId: string, lastHash?: string): void {
    if (this.firstBrokenId !== null) return;
    if (this.nextId <= BigInt(lastId)) this.firstBrokenId = this.nextId.toString();
    else if (lastHash !== undefined && this.expectedPrev !== lastHash) this.firstBrokenId = lastId;
  }

  get valid(): boolean {
    return this.firstBrokenId === null;
  }
}
