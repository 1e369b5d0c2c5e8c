import { createHmac, randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/** Retries stop (and the endpoint is disabled) once an event is this old. */
export const RETRY_FOR_MS = 24 * 60 * 60 * 1000;
/** The longest wait between two attempts. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** How much of a receiver's answer an admin sees. */
export const RESPONSE_EXCERPT_LENGTH = 500;

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * `webhook-signature` per the Standard Webhooks specification: `v1,` and the base64 HMAC-SHA256,
 * keyed with the base64-decoded part of the secret after `whsec_`, of `<id>.<timestamp>.<body>`.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;
}

/** Whether a subscription (exact names, `prefix.` prefixes, or `*`) covers an event. */
export function subscribes(patterns: readonly string[], event: string): boolean {
  return patterns.some((p) => p === '*' || p === event || (p.endsWith('.') && event.startsWith(p)));
}

/** Exponential backoff with jitter: base·2^(attempt−1), capped at an hour, then a random 50–100 % of it. */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface UrlPolicy {
  allowHttp: boolean;
  /** Host names (lower case) or IP literals that may be private, loopback or link-local. */
  allowedHosts: readonly string[];
}

/** Why a URL may not be a webhook endpoint before any address is looked up, or null. */
export function urlProblem(raw: string, policy: UrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url is not an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) return policy.allowHttp ? 'url must be http(s)' : 'url must be https';
  if (url.username !== '' || url.password !== '') return 'url must not carry credentials';
  return null;
}

/** The host of a URL as the allow-list names it: lower case, IPv6 without brackets. */
export function hostOf(raw: string): string {
  return new URL(raw).hostname.toLowerCase().replace(/^\[|\]$/g, '');
}

/** Whether an address is a public unicast one (not loopback, link-local, private, reserved...). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 is judged as the IPv4 address it is
  return parsed.range() === 'unicast';
}

/** Why an endpoint's resolved addresses are refused, or null (allow-listed hosts pass whatever they resolve to). */
export function addressProblem(host: string, addresses: readonly string[], policy: UrlPolicy): string | null {
  if (policy.allowedHosts.includes(host)) return null;
  if (addresses.length === 0) return `${host} does not resolve`;
  const refused = addresses.find((a) => !isPublicAddress(a));
  return refused === undefined ? null : `${host} resolves to ${refused}, a loopback, link-local, private or reserved address (not in WEBHOOK_ALLOWED_HOSTS)`;
}
