import { normalizeIP, type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/config';
import type { JwtKeys } from '../auth/jwt-keys';
import { verifiedTokenSubject } from '../auth/token-subject';
import { DomainError } from '../errors/domain-error';

/**
 * The address a limit counts against: IPv4 as is (an IPv4-mapped IPv6 address as IPv4), IPv6 by
 * its /64, which one client usually holds whole and could otherwise rotate through.
 */
export function clientAddressKey(ip: string | undefined): string {
  return ip ? normalizeIP(ip, 64) : 'unknown';
}

/** The window that holds `burst` requests at `perSecond` sustained, in milliseconds. */
export function rateLimitWindowMs(limits: AppConfig['rateLimit']): number {
  return Math.max(1, Math.round((limits.burst / limits.perSecond) * 1000));
}

/**
 * Whose budget a request spends: the token's subject (the user id) when it carries a valid bearer
 * token, else the client address. The token is verified here, once for the request (the guard
 * reuses the result): a forged subject must not spend, or exhaust, someone else's budget. An
 * invalid token spends the address's budget, and the guard answers 401 later.
 */
export function rateLimitKey(request: FastifyRequest, keys: JwtKeys): string {
  const subject = verifiedTokenSubject(request, keys);
  return subject === null ? `address:${clientAddressKey(request.ip)}` : `user:${subject}`;
}

/** The RateLimit-Policy header's value: `burst;w=window seconds`. */
export function rateLimitPolicy(limits: AppConfig['rateLimit']): string {
  return `${limits.burst};w=${Math.ceil(rateLimitWindowMs(limits) / 1000)}`;
}

/**
 * Per token for the API as a whole, held in this instance's memory: N instances behind a load
 * balancer let a client through up to N times the limit. A fixed window of burst / perSecond
 * seconds holding `burst` requests: bursts up to `burst`, `perSecond` on average. Headers are
 * those of the IETF draft (draft-ietf-httpapi-ratelimit-headers, the RateLimit-Limit /
 * -Remaining / -Reset form); bootstrap adds RateLimit-Policy.
 */
export function rateLimitOptions(limits: AppConfig['rateLimit'], keys: JwtKeys, onRefused: (key: string) => void = () => undefined): RateLimitPluginOptions {
  const windowMs = rateLimitWindowMs(limits);
  return {
    global: true,
    hook: 'onRequest',
    max: limits.burst,
    timeWindow: windowMs,
    enableDraftSpec: true,
    keyGenerator: (request) => rateLimitKey(request, keys),
    onExceeded: (_request, key) => onRefused(key),
    errorResponseBuilder: (_request, context) =>
      new DomainError('RATE_LIMITED', `More than ${context.max} requests in ${windowMs / 1000} s; retry in ${Math.ceil(context.ttl / 1000)} s`),
  };
}
