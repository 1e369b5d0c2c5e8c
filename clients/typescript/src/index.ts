import { createHmac, timingSafeEqual } from 'node:crypto';
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';
export type Schemas = components['schemas'];
export type CrmClient = Client<paths>;

/** Every problem `code` the API answers with today. New ones may come: handle an unknown code by its HTTP status. */
export type KnownProblemCode = components['schemas']['ProblemDto']['code'];
export type ProblemCode = KnownProblemCode | (string & {});
export type Problem = components['schemas']['ProblemDto'];

/** The body of a webhook POST, and its event names. */
export type WebhookEvent = components['schemas']['WebhookEventDto'];
export type WebhookEventType = WebhookEvent['type'];

/** A client of the API under `baseUrl` (the origin; paths start with /api/v1), with the bearer token when given. */
export function createCrmClient(baseUrl: string, token?: string, options: Omit<ClientOptions, 'baseUrl'> = {}): CrmClient {
  const headers = { ...(options.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return createClient<paths>({ ...options, baseUrl, headers });
}

export class WebhookVerificationError extends Error {}

/**
 * Verifies a webhook per the Standard Webhooks specification and returns the parsed event:
 * `webhook-signature` must hold a `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<raw body>`
 * under the base64-decoded secret after `whsec_`, and the timestamp be within `toleranceSeconds` of now.
 * Pass the raw body exactly as received (not re-serialized JSON). Throws WebhookVerificationError.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  options: { toleranceSeconds?: number; now?: Date } = {},
): WebhookEvent {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  const seconds = Number(timestamp);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (!Number.isInteger(seconds) || Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)) throw new WebhookVerificationError('timestamp outside the tolerance');
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`, 'utf8').digest('base64'));
  const ok = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookVerificationError('no signature matches');
  return JSON.parse(rawBody) as WebhookEvent;
}
