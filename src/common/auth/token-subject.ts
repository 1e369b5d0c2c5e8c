import { JwtService } from '@nestjs/jwt';
import type { JwtKeys } from './jwt-keys';

/** Where a request keeps its token's verified subject: null when it has no valid token. */
const VERIFIED = Symbol('crm:verified-token-subject');

interface WithVerifiedSubject {
  headers: Record<string, string | string[] | undefined>;
  [VERIFIED]?: string | null;
}

const jwt = new JwtService();

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
  if (token) {
    try {
      const payload = jwt.verify<{ sub?: unknown }>(token, {
        secret: keys.key as unknown as string,
        algorithms: ['HS256'],
        issuer: keys.issuer,
        audience: keys.audience,
      });
      if (typeof payload.sub === 'string') subject = payload.sub;
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
