import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * A caller's id goes into every log line and audit entry: only short, plain values pass (a UUID
 * fits), so nobody can forge log lines, smuggle markup or bloat the audit log through it.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Takes X-Request-Id from the caller when it is a UUID or ≤ 64 safe characters, else makes one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
