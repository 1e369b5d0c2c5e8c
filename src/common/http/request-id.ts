import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ACCEPTED = /^[A-Za-z0-9._:-]{1,100}$/;

export type RequestWithId = IncomingMessage & { requestId?: string };

/** Takes X-Request-Id from the caller when it is sane, else makes one; kept on the raw request for logs and context. */
export function assignRequestId(req: RequestWithId): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
  req.requestId = id;
  return id;
}

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req.socket?.remoteAddress;
}
