import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** How long a stored answer is replayed. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** Visible ASCII only (no spaces or control characters), 1–255 characters: what Stripe and the IETF draft expect of a key. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Why the header cannot be used as a key, or undefined when it can. */
export function idempotencyKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'Idempotency-Key must be given once';
  if (!KEY.test(value)) return `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`;
  return undefined;
}

/**
 * What makes two requests "the same" for a key: method, route, path parameters and body, with the
 * body in canonical JSON (RFC 8785), so key order and spacing do not matter.
 */
export function requestFingerprint(request: { method: string; route: string; params: unknown; body: unknown }): string {
  return createHash('sha256')
    .update(canonicalize({ method: request.method, route: request.route, params: request.params ?? {}, body: request.body ?? null }) ?? '')
    .digest('hex');
}
