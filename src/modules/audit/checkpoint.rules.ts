import canonicalize from 'canonicalize';

/** What a checkpoint states: the chain ended at entry `lastId` with `hash`, as of `occurredAt`. */
export interface CheckpointClaim {
  lastId: string;
  hash: string;
  /** When the checkpoint was signed (ISO 8601, UTC, milliseconds). */
  occurredAt: string;
}

/** The exact bytes signed: the RFC 8785 canonical JSON of {hash, lastId, occurredAt}. */
export function checkpointMessage(claim: CheckpointClaim): Buffer {
  return Buffer.from(canonicalize({ hash: claim.hash, lastId: claim.lastId, occurredAt: claim.occurredAt })!, 'utf8');
}

export const CHECKPOINT_PROBLEMS = ['hash-differs', 'entry-missing', 'signature-invalid', 'unknown-key'] as const;
export type CheckpointProblem = (typeof CHECKPOINT_PROBLEMS)[number];

/**
 * Why a stored checkpoint does not fit the chain as it is now, or undefined when it does: the
 * entry it names must still be there with the same hash, and the signature must be ours.
 */
export function checkpointProblem(
  checkpoint: CheckpointClaim & { signature: string; keyId: string },
  chainHashAtLastId: string | null,
  key: { keyId: string; verify(message: Buffer, signature: string): boolean },
): CheckpointProblem | undefined {
  if (checkpoint.keyId !== key.keyId) return 'unknown-key';
  if (!key.verify(checkpointMessage(checkpoint), checkpoint.signature)) return 'signature-invalid';
  if (chainHashAtLastId === null) return 'entry-missing';
  if (chainHashAtLastId !== checkpoint.hash) return 'hash-differs';
  return undefined;
}

export interface CheckpointMismatch {
  lastId: string;
  problem: CheckpointProblem;
}

/**
 * Checks stored checkpoints against the chain while the verifier walks it in id order: each
 * checkpoint is compared with the entry it names as that entry goes by, so no extra reads.
 */
export class CheckpointChecker {
  private next = 0;
  checked = 0;
  firstMismatch: CheckpointMismatch | null = null;

  /** checkpoints: oldest first (by lastId). */
  constructor(
    private readonly checkpoints: (CheckpointClaim & { signature: string; keyId: string })[],
    private readonly key: { keyId: string; verify(message: Buffer, signature: string): boolean },
  ) {}

  /** An entry of the walk, in id order. */
  see(id: string, hash: string): void {
    while (this.next < this.checkpoints.length && BigInt(this.checkpoints[this.next].lastId) <= BigInt(id)) {
      const checkpoint = this.checkpoints[this.next++];
      this.judge(checkpoint, checkpoint.lastId === id ? hash : null);
    }
  }

  /**
   * After the walk. When it reached the end of what it was to check, the checkpoints left name
   * entries that are no longer there; when it stopped at a broken entry, they stay unchecked.
   */
  finish(walkComplete: boolean): void {
    if (!walkComplete) return;
    while (this.next < this.checkpoints.length) this.judge(this.checkpoints[this.next++], null);
  }

  get valid(): boolean {
    return this.firstMismatch === null;
  }

  private judge(checkpoint: CheckpointClaim & { signature: string; keyId: string }, chainHash: string | null): void {
    this.checked += 1;
    const problem = checkpointProblem(checkpoint, chainHash, this.key);
    if (problem && this.firstMismatch === null) this.firstMismatch = { lastId: checkpoint.lastId, problem };
  }
}
