import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressProblem, hostOf, RESPONSE_EXCERPT_LENGTH, UrlPolicy, urlProblem } from './webhook.rules';

export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

/** Why a URL may not be an endpoint now (scheme, credentials, or what its host resolves to), or null. */
export async function endpointProblem(url: string, policy: UrlPolicy): Promise<string | null> {
  const problem = urlProblem(url, policy);
  if (problem) return problem;
  const host = hostOf(url);
  if (policy.allowedHosts.includes(host)) return null;
  if (isIP(host)) return addressProblem(host, [host], policy);
  try {
    const addresses = await dns.lookup(host, { all: true, verbatim: true });
    return addressProblem(host, addresses.map((a) => a.address), policy);
  } catch {
    return `${host} does not resolve`;
  }
}

/**
 * The address check at connection time: the addresses a host name resolves to when the POST is
 * made are the ones judged, so a name that resolved to a public address at creation and to a
 * private one now (DNS rebinding) is refused.
 */
function checkedLookup(host: string, policy: UrlPolicy): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const problem = addressProblem(host, addresses.map((a) => a.address), policy);
      if (problem) return callback(new Error(problem));
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  }) as unknown as LookupFunction;
}

/** POSTs one signed event; never throws. 2xx is success; the answer is read up to the excerpt's length. */
export async function sendWebhook(url: string, headers: Record<string, string>, body: string, policy: UrlPolicy, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const problem = urlProblem(url, policy) ?? (isIP(hostOf(url)) ? addressProblem(hostOf(url), [hostOf(url)], policy) : null);
  if (problem) return { statusCode: null, durationMs: elapsed(), error: `refused: ${problem}`.slice(0, 500), responseExcerpt: null };
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, durationMs: elapsed() });
    };
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'crm-api-webhooks/1', ...headers },
        lookup: policy.allowedHosts.includes(hostOf(url)) ? undefined : checkedLookup(hostOf(url), policy),
        timeout: timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.length >= RESPONSE_EXCERPT_LENGTH) response.destroy();
        });
        const done = () => finish({ statusCode: response.statusCode ?? null, error: null, responseExcerpt: text.slice(0, RESPONSE_EXCERPT_LENGTH) || null });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => finish({ statusCode: null, error: error.message.slice(0, 500), responseExcerpt: null }));
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
}
