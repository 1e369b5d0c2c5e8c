// The README's example, type-checked with the package (npm test at the repository root): a contract
// change that breaks it fails there, and shows in the diff of schema.d.ts.
import { createServer } from 'node:http';
import { createCrmClient, type KnownProblemCode, verifyWebhook, WebhookVerificationError } from './index.js';

export async function example(baseUrl: string, username: string, password: string): Promise<void> {
  const anonymous = createCrmClient(baseUrl);
  const { data: login } = await anonymous.POST('/api/v1/auth/login', { body: { username, password } });
  if (!login) throw new Error('login failed');
  const crm = createCrmClient(baseUrl, login.accessToken);
  const { data, error } = await crm.POST('/api/v1/customers', {
    body: { name: '示例有限公司', kind: 'organization', source: 'exhibition', stage: 'prospect', industry: '制造业', contacts: [] },
    headers: { 'idempotency-key': 'erp-order-4711' }, // a retry after a timeout creates nothing twice
  });
  if (error) {
    const retryable: KnownProblemCode[] = ['IDEMPOTENCY_IN_PROGRESS', 'BUSY', 'RATE_LIMITED'];
    if (retryable.includes(error.code)) return; // wait Retry-After seconds, then send the same request again
    throw new Error(`${error.code}: ${error.detail}`);
  }
  console.log('created', data.id);
}

/** A receiver: verify with the raw body, answer 2xx fast, deduplicate on data.eventId (= webhook-id). */
export function receiver(secret: string) {
  return createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        const event = verifyWebhook(secret, req.headers, raw);
        console.log(event.type, event.data.entityType, event.data.entityId, event.data.changedFields);
        res.writeHead(204).end();
      } catch (e) {
        res.writeHead(e instanceof WebhookVerificationError ? 401 : 500).end();
      }
    });
  });
}
