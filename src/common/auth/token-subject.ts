import { JwtService } from '@nestjs/jwt';
import type { JwtKeys } from './jwt-keys';

/** Where a request keeps its token's verified subject: null when it has no valid token. */
const VERIFIED = Symbol('crm:verified-token-subject');

interface WithVerifiedSubject {
  headers: Record<string, string | string[] | undefined>;
  [VERIFIED]?: string | null;
}

const jwt = new JwtService();

/** Tokens this instance has verified, until they expire: at most this many (the oldest leaves first). */
export const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * A good token stays good until its `exp` (the signature, issuer and audience do not change), so
 * each instance remembers the tokens it verified, per key, and skips the HMAC and the two JSON
 * parses for a token it has seen. Only successes are kept: a forged token is never in it (its
 * signature is part of the key) and cannot fill it. This is a cache of a pure computation, not
 * state instances share: whether the user still exists and is active is read from the database on
 * every request as before.
 */
export class VerifiedTokens {
  readonly #tokens = new Map<string, { subject: string; expiresAtMs: number }>();

  constructor(private readonly capacity: number) {}

  subjectOf(token: string, nowMs = Date.now()): string | undefined {
    const entry = this.#tokens.get(token);
    if (entry === undefined) return undefined;
    if (nowMs < entry.expiresAtMs) return entry.subject;
    this.#tokens.delete(token);
    return undefined;
  }

  remember(token: string, subject: string, exp: unknown): void {
    if (typeof exp !== 'number') return;
    if (this.#tokens.size >= this.capacity) this.#tokens.delete(this.#tokens.keys().next().value!);
    this.#tokens.set(token, { subject, expiresAtMs: exp * 1000 });
  }
}

const verified = new WeakMap<JwtKeys, VerifiedTokens>();

function memoryOf(keys: JwtKeys): VerifiedTokens {
  let memory = verified.get(keys);
  if (memory === undefined) verified.set(keys, (memory = new VerifiedTokens(VERIFIED_TOKENS_KEPT)));
  return memory;
}

/**
 * The subject of the request's bearer token if the token is valid (HS256 signature, issuer,
 * audience, expiry), else null. Verified once per request and kept on the request: the rate
 * limit (which spends the subject's budget) and the guard (which lets the subject in) ask the
 * same question, and an HMAC plus the JSON parsing is most of a cheap read's own CPU.
 */
export function verifiedTokenSubject(request: object, keys: JwtKeys): string | null {
  const carrier = request as WithVerifiedSubject;
  const known = carrier[VERIFIED];
  if (known !== undefined) return known;
  const authorization = carrier.headers.authorization;
  const token = typeof authorization === 'string' ? /^bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  let subject: string | null = null;
  const cached = token ? memoryOf(keys).subjectOf(token) : undefined;
  if (cached !== undefined) {
    subject = cached;
  } else if (token) {
    try {
      const payload = jwt.verify<{ sub?: unknown; exp?: unknown }>(token, {
        secret: keys.key as unknown as string,
        algorithms: ['HS256'],
        issuer: keys.issuer,
        audience: keys.audience,
      });
      if (typeof payload.sub === 'string') {
        subject = payload.sub;
        memoryOf(keys).remember(token, subject, payload.exp);
      }
    } catch {
      subject = null;
    }
  }
  carrier[VERIFIED] = subject;
  return subject;
}

/**
 * The subject a verification earlier in this request found (null: the token did not verify), or
 * undefined when nothing has verified the request's token yet.
 */
export function alreadyVerifiedSubject(request: object): string | null | undefined {
  return (request as WithVerifiedSubject)[VERIFIED];
}
