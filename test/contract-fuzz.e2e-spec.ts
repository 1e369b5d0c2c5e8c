import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ADMIN_PASSWORD, startTestApp, TestApp, tokenFor } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/**
 * Issue 13: no input gives a 5xx. Walks every operation of openapi/openapi.json:
 * - breaks one parameter or body field at a time (wrong type, out of bounds, bad format, missing
 *   required, not in the enum; and bodies that are missing or not objects) and expects a 4xx,
 *   never a 2xx or a 5xx;
 * - sends plausible oddities (forged cursors, ISO 8601 forms that are not RFC 3339, impossible
 *   dates, int4 overflow, tiny and huge numbers, NUL, lone surrogates, strings that grow under
 *   NFKC or lower-casing, random Unicode from fast-check) and expects anything but a 5xx.
 * Deterministic (fixed seed, bounded runs). A failure lists each (operation, field, input, status).
 * Path parameters name real records made in beforeAll, so handlers get past their 404.
 */
const SEED = 20260301;
const RANDOM_STRING_RUNS = 300;
const CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 15_000;
/** 503s that mean "too busy now, retry" rather than a fault. */
const BUSY_CODES = new Set(['AUDIT_READS_BUSY', 'BUSY']);

/** Operations not exercised, and why: nothing here is skipped silently. */
const NOT_EXERCISED: Record<string, string> = {};

// —— the contract ——

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
}
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  label: string;
}

const contract = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
};

function resolve(schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) return resolve(contract.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return Object.assign({}, ...allOf.map(resolve), rest);
  }
  return schema;
}

const OPERATIONS: Operation[] = Object.entries(contract.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
    body: op.requestBody ? resolve(Object.values(op.requestBody.content)[0].schema) : undefined,
    label: `${method.toUpperCase()} ${path}`,
  })),
);

// —— real records, for ids ——

interface Ids {
  customer: string;
  contact: string;
  interaction: string;
  complaint: string;
  request: string;
  approval: string;
  transfer: string;
  export: string;
  department: string;
  user: string;
  tagGroup: string;
  tag: string;
  tier: string;
  review: string;
  opportunity: string;
  activity: string;
  opportunityAttachment: string;
  activityAttachment: string;
  webhook: string;
}

let t: TestApp;
let w: World;
let ids: Ids;
let counter = 0;
const fresh = () => `${Date.now() % 1_000_000}${++counter}`.slice(-8).padStart(8, '0');

/** A uuid field's value, by what its name says it names. */
function idFor(name: string): string {
  const n = name.toLowerCase();
  if (/contact/.test(n)) return ids.contact;
  if (/customer|survivor|merged/.test(n)) return ids.customer;
  if (/interaction/.test(n)) return ids.interaction;
  if (/opportunit/.test(n)) return ids.opportunity;
  if (/activit/.test(n)) return ids.activity;
  if (/complaint/.test(n)) return ids.complaint;
  if (/request/.test(n)) return ids.request;
  if (/approval/.test(n)) return ids.approval;
  if (/transfer/.test(n)) return ids.transfer;
  if (/export/.test(n)) return ids.export;
  if (/tier/.test(n)) return ids.tier;
  if (/group/.test(n)) return ids.tagGroup;
  if (/tag/.test(n)) return ids.tag;
  if (/department/.test(n)) return ids.department;
  if (/touser|owner|assignee|user|actor|from/.test(n)) return w.salesEast1.id;
  return '0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b';
}

function pathId(path: string): string {
  const segment = path.split('/{')[0].split('/').pop()!;
  const bySegment: Record<string, string> = {
    approvals: ids.approval,
    complaints: ids.complaint,
    requests: ids.request,
    contacts: ids.contact,
    customers: ids.customer,
    exports: ids.export,
    interactions: ids.interaction,
    departments: ids.department,
    'tag-groups': ids.tagGroup,
    tags: ids.tag,
    tiers: ids.tier,
    transfers: ids.transfer,
    users: ids.user,
    reviews: ids.review,
    schedules: ids.department,
    webhooks: ids.webhook,
    days: '2026-10-01',
    opportunities: ids.opportunity,
    activities: ids.activity,
  };
  if (!(segment in bySegment)) throw new Error(`no real id for the path parameter of ${path}: add one`);
  return bySegment[segment];
}

/** A value the schema accepts, as far as the contract tells (names and numbers kept fresh so creates do not collide). */
function validValue(name: string, schema: Schema): unknown {
  const s = resolve(schema);
  if (s.enum) return s.enum[0];
  if (s.format === 'uuid') return idFor(name);
  if (s.format === 'date-time') return new Date(Date.now() - 60_000).toISOString();
  if (s.type === 'string' && /mobile/i.test(name)) return `139${fresh()}`;
  if (s.type === 'string' && /email/i.test(name)) return `fuzz.${fresh()}@example.com`;
  if (s.type === 'string' && /^(name|username|title|code)$/.test(name)) {
    const base = name === 'username' ? `fuzz.${fresh()}` : name === 'code' ? `F${fresh()}` : `模糊测试 ${fresh()}`;
    return s.maxLength ? base.slice(0, s.maxLength) : base;
  }
  if (s.example !== undefined && (s.type !== 'array' || Array.isArray(s.example))) return s.example;
  if (s.default !== undefined) return s.default;
  switch (s.type) {
    case 'string':
      if (s.format === 'date') return '2026-03-01';
      if (s.format === 'email') return `fuzz.${fresh()}@example.com`;
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'number':
    case 'integer':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => validValue(name.replace(/s$/, ''), s.items ?? {}));
    case 'object':
      return validObject(s);
    default:
      return 'x';
  }
}

function validObject(schema: Schema): Record<string, unknown> {
  const s = resolve(schema);
  return Object.fromEntries((s.required ?? []).map((key) => [key, validValue(key, s.properties?.[key] ?? {})]));
}

// —— fields, and how to break them ——

interface Field {
  /** `query.limit`, `path.id`, `header.If-Match`, `body.contacts.0.mobile`. */
  name: string;
  where: 'path' | 'query' | 'header' | 'body';
  /** Inside the body: the keys down to the field. */
  keys: (string | number)[];
  schema: Schema;
  required: boolean;
}

function bodyFields(schema: Schema, keys: (string | number)[] = [], depth = 0): Field[] {
  const s = resolve(schema);
  return Object.entries(s.properties ?? {}).flatMap(([key, raw]) => {
    const property = resolve(raw);
    const here: Field = { name: `body.${[...keys, key].join('.')}`, where: 'body', keys: [...keys, key], schema: property, required: (s.required ?? []).includes(key) };
    const below =
      depth >= 2
        ? []
        : property.type === 'object' || property.properties
          ? bodyFields(property, [...keys, key], depth + 1)
          : property.type === 'array' && resolve(property.items).properties
            ? bodyFields(resolve(property.items), [...keys, key, 0], depth + 1)
            : [];
    return [here, ...below];
  });
}

function fieldsOf(op: Operation): Field[] {
  return [
    ...op.parameters.map((p) => ({ name: `${p.in}.${p.name}`, where: p.in, keys: [p.name], schema: p.schema, required: p.required === true })),
    ...(op.body ? bodyFields(op.body) : []),
  ];
}

const ABSENT = Symbol('absent');
type Input = unknown | typeof ABSENT;

interface Case {
  op: Operation;
  field?: Field;
  family: string;
  input: Input;
  /** A raw body instead of the JSON of a built one (missing or malformed bodies). */
  rawBody?: { body?: string; contentType?: string };
  expect: '4xx' | 'not 5xx';
}

/** One invalid value per way the schema can be broken. */
function breaksOf(field: Field): { family: string; input: Input }[] {
  const s = field.schema;
  const out: { family: string; input: Input }[] = [];
  const inQuery = field.where !== 'body';
  if (field.required && field.where !== 'path') out.push({ family: 'missing required', input: ABSENT });
  // Wrong type: in a query everything is a string, so only non-strings can be mistyped there.
  if (s.type === 'string' && !inQuery) out.push({ family: 'wrong type', input: 12345 });
  if ((s.type === 'number' || s.type === 'integer') && !inQuery) out.push({ family: 'wrong type', input: '12' });
  if (s.type === 'number' || s.type === 'integer') out.push({ family: 'wrong type', input: inQuery ? 'twelve' : { n: 12 } });
  if (s.type === 'boolean') out.push({ family: 'wrong type', input: inQuery ? 'maybe' : 'true' });
  if (s.type === 'array' && !inQuery) out.push({ family: 'wrong type', input: 'not-an-array' });
  if ((s.type === 'object' || s.properties) && !inQuery) out.push({ family: 'wrong type', input: ['not', 'an', 'object'] });
  // Out of bounds.
  if (s.maxLength !== undefined) out.push({ family: 'out of bounds', input: 'x'.repeat(s.maxLength + 1) });
  if (s.minLength !== undefined && s.minLength > 0) out.push({ family: 'out of bounds', input: 'x'.repeat(s.minLength - 1) });
  if (s.minimum !== undefined) out.push({ family: 'out of bounds', input: inQuery ? String(s.minimum - 1) : s.minimum - 1 });
  if (s.maximum !== undefined) out.push({ family: 'out of bounds', input: inQuery ? String(s.maximum + 1) : s.maximum + 1 });
  if (s.maxItems !== undefined && !inQuery) out.push({ family: 'out of bounds', input: Array.from({ length: s.maxItems + 1 }, () => validValue(field.keys.at(-1) as string, s.items ?? {})) });
  if (s.minItems !== undefined && s.minItems > 0 && !inQuery) out.push({ family: 'out of bounds', input: [] });
  // Bad format.
  const badFormat: Record<string, string> = { uuid: 'not-a-uuid', 'date-time': 'not-a-date-time', date: 'not-a-date', email: 'not-an-email' };
  if (s.format && badFormat[s.format]) out.push({ family: 'bad format', input: badFormat[s.format] });
  if (s.type === 'array' && resolve(s.items).format === 'uuid') out.push({ family: 'bad format', input: inQuery ? 'not-a-uuid' : ['not-a-uuid'] });
  if (s.enum) out.push({ family: 'not in enum', input: 'definitely-not-a-member' });
  return out;
}

// —— oddities: plausible input that must never give a 5xx ——

const b64 = (value: string) => Buffer.from(value, 'utf8').toString('base64url');
const CURSORS = [
  'not-a-cursor',
  '!!!',
  b64('['),
  b64('null'),
  b64('{"after":1}'),
  b64('[]'),
  b64('["name"]'),
  b64('["name","x","y","z","extra"]'),
  b64('[null,null,null]'),
  b64('[1e309,"x"]'),
  b64('["2024-02-30T00:00:00Z","not-a-uuid"]'),
  b64('["newest","2024-02-30T00:00:00Z","99999999999999999999"]'),
  b64(`["name","${'x'.repeat(2000)}","0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b"]`),
  b64('["name","\\u0000","0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b"]'),
  b64('[2147483648,"0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b"]'),
];
const DATES = [
  '2024-W01-1',
  '2024-123',
  '20240101T1200Z',
  '2024-02-30',
  '2024-02-30T10:00:00Z',
  '2024-01-01T24:00:00Z',
  '24:00',
  '2024-01-01T10:00:00+24:00',
  '0000-01-01T00:00:00Z',
  '1899-12-31',
  '2201-01-01',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2024-01-01T10:00:00.123456789Z',
];
const NUMBERS = [2147483648, -2147483649, 9007199254740993, 1e-7, 1e308, -0, 0.5, 1.005];
const QUERY_NUMBERS = ['2147483648', '1e-7', '1e3', '0x10', 'NaN', 'Infinity', '-0', ' 1', '99999999999999999999'];
const STRINGS = ['a\u0000b', '\uD800', 'x\uDC00y', '\u202Etxt.exe', ' ', 'é'.normalize('NFD'), '\uFEFFbom'];
/** Characters that grow: NFKC of ㍿ is 4 characters, lower-casing İ gives 2, 𝒳 is 2 UTF-16 units. */
const GROWING = ['㍿', 'İ', '𝒳', 'ﷺ'];
const UUIDS = ['00000000-0000-0000-0000-000000000000', '0B6F3C1E-2D4A-4E8F-9A1B-3C5D7E9F1A2B', '{0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b}', '0b6f3c1e2d4a4e8f9a1b3c5d7e9f1a2b'];
const PATH_IDS = ['00000000-0000-0000-0000-000000000000', 'x'.repeat(300), '%00', '..%2F..%2Fhealth', '1 OR 1=1', '%F0%9F%98%80'];

function odditiesOf(field: Field): { family: string; input: Input }[] {
  const s = field.schema;
  const name = field.keys.at(-1) as string;
  const out: { family: string; input: Input }[] = [];
  const inQuery = field.where !== 'body';
  if (field.where === 'path' && name === 'id') for (const id of PATH_IDS) out.push({ family: 'path ids', input: id });
  if (name === 'cursor') for (const c of CURSORS) out.push({ family: 'cursors', input: c });
  const dateLike = s.format === 'date' || s.format === 'date-time' || (field.where === 'path' && name === 'date') || /^(from|to|before|after|updatedSince)$/.test(name);
  if (dateLike) for (const d of DATES) out.push({ family: 'dates', input: d });
  if (s.type === 'number' || s.type === 'integer' || name === 'version') {
    for (const n of inQuery ? QUERY_NUMBERS : NUMBERS) out.push({ family: 'numbers', input: n });
  }
  if (field.where === 'header') {
    // NUL and line breaks cannot travel in an HTTP/1.1 header at all: a client library refuses them before sending.
    return out.concat(headerOddities(s, name));
  }
  if (s.type === 'string' && s.format !== 'uuid' && !dateLike) {
    for (const str of STRINGS) out.push({ family: 'strings', input: str });
    for (const grow of GROWING) out.push({ family: 'growing strings', input: grow.repeat(s.maxLength ?? 256) });
  }
  if (s.format === 'uuid' || (s.type === 'array' && resolve(s.items).format === 'uuid')) {
    for (const u of UUIDS) out.push({ family: 'uuids', input: s.type === 'array' && !inQuery ? [u] : u });
  }
  if (s.type === 'array' && !inQuery && resolve(s.items).type === 'string' && resolve(s.items).format !== 'uuid') {
    out.push({ family: 'strings', input: ['\u0000'] }, { family: 'strings', input: ['\uD800'] }, { family: 'growing strings', input: ['㍿'.repeat(resolve(s.items).maxLength ?? 256)] });
  }
  if (!inQuery && s.nullable !== true && !field.required) out.push({ family: 'nulls', input: null });
  return out;
}

function headerOddities(s: Schema, name: string): { family: string; input: Input }[] {
  const out: { family: string; input: Input }[] = [];
  if (name === 'If-Match') for (const v of ['"2147483648"', '2147483648', '*', 'W/"1"', '"1e-7"', '"-1"', '"1", "2"']) out.push({ family: 'numbers', input: v });
  if (s.type === 'string') {
    for (const str of STRINGS.filter((x) => !/[\u0000\r\n]/.test(x))) out.push({ family: 'strings', input: str });
    for (const grow of GROWING) out.push({ family: 'growing strings', input: grow.repeat(s.maxLength ?? 256) });
  }
  return out;
}

// —— requests ——

/** Percent-encodes code units as WTF-8, so a lone surrogate reaches the server as the bytes a careless client sends. */
function encodeQueryValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

function setIn(target: Record<string, unknown>, keys: (string | number)[], value: Input): void {
  let node: Record<string | number, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = typeof key === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === ABSENT) delete node[last];
  else node[last] = value;
}

/** The valid parameters and body of an operation, with one field set to `input`. */
function buildRequest(op: Operation, field: Field | undefined, input: Input) {
  const params: Record<string, unknown> = {};
  for (const p of op.parameters) {
    if (p.in === 'path') params[`path.${p.name}`] = p.name === 'attachmentId' ? (op.path.includes('/opportunities/') ? ids.opportunityAttachment : ids.activityAttachment) : pathId(op.path);
    else if (p.required) params[`${p.in}.${p.name}`] = validValue(p.name, p.schema);
  }
  let body: Record<string, unknown> | undefined = op.body ? validObject(op.body) : undefined;
  if (field && field.where !== 'body') {
    if (input === ABSENT) delete params[field.name];
    else params[field.name] = input;
  }
  if (field && field.where === 'body') {
    body ??= {};
    // A nested field needs its parent: start from a valid parent, then change the field.
    for (let i = 1; i < field.keys.length; i++) {
      const parentKeys = field.keys.slice(0, i);
      const current = parentKeys.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], body);
      if (current === undefined) {
        const parentSchema = parentKeys.reduce<Schema>((s, key) => (typeof key === 'number' ? resolve(s.items) : resolve(resolve(s).properties?.[key])), op.body!);
        setIn(body, parentKeys, typeof field.keys[i] === 'number' ? [validObject(resolve(parentSchema.items))] : validObject(parentSchema));
      }
    }
    setIn(body, field.keys, input);
  }
  let url = op.path;
  const query: string[] = [];
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const [where, name] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
    if (where === 'path') url = url.replace(`{${name}}`, String(value).startsWith('%') || String(value).includes('%2F') ? String(value) : encodeQueryValue(String(value)));
    // A header carries bytes: non-Latin-1 text goes as its UTF-8 bytes, as a careless client sends it.
    else if (where === 'header') headers[name] = Buffer.from(String(value), 'utf8').toString('latin1');
    else for (const v of Array.isArray(value) ? value : [value]) query.push(`${encodeURIComponent(name)}=${encodeQueryValue(String(v))}`);
  }
  return { url: query.length ? `${url}?${query.join('&')}` : url, headers, body };
}

interface Outcome {
  status: number;
  code?: string;
}

async function send(op: Operation, token: string, c: Pick<Case, 'field' | 'input' | 'rawBody'>): Promise<Outcome> {
  const request = buildRequest(op, c.field, c.input);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...request.headers };
  let body: string | undefined;
  if (c.rawBody) {
    body = c.rawBody.body;
    if (c.rawBody.contentType) headers['content-type'] = c.rawBody.contentType;
  } else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] = 'application/json';
  }
  try {
    const response = await fetch(`${t.baseUrl}${request.url}`, { method: op.method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      code = undefined;
    }
    return { status: response.status, code };
  } catch (error) {
    return { status: 599, code: `no answer: ${(error as Error).name}` };
  }
}

/** Runs the cases a few at a time; returns one readable line per case that broke its expectation. */
async function run(cases: Case[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const token = actorToken.get(c.op.label)!;
      let outcome = await send(c.op, token, c);
      // A 503 that says "busy, retry" (the audit readers' slots, the pool) is the designed answer under this test's own load: retry it.
      for (let attempt = 0; attempt < 10 && outcome.status === 503 && BUSY_CODES.has(outcome.code ?? ''); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
        outcome = await send(c.op, token, c);
      }
      const bad = outcome.status >= 500 || (c.expect === '4xx' && (outcome.status < 400 || outcome.status >= 500));
      if (bad) failures.push(line(c, outcome));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures.sort();
}

function show(input: Input): string {
  if (input === ABSENT) return '(absent)';
  const json = JSON.stringify(input) ?? String(input);
  const printable = json.replace(/[\uD800-\uDFFF]/g, (u) => `\\u${u.charCodeAt(0).toString(16)}`);
  return printable.length > 60 ? `${printable.slice(0, 40)}…(${json.length} chars)` : printable;
}

function line(c: Case, outcome: Outcome): string {
  const what = c.rawBody ? `raw body ${show(c.rawBody.body ?? '(none)')} as ${c.rawBody.contentType ?? '(no content-type)'}` : `${c.field?.name ?? '-'} = ${show(c.input)}`;
  const verdict = outcome.status < 400 ? 'accepted' : outcome.status >= 500 ? 'crashed' : 'refused';
  return `[${c.family}] ${c.op.label}  ${what}  → ${outcome.status} ${outcome.code ?? ''} (${verdict}; expected ${c.expect})`;
}

// —— setup ——

/** Who calls each operation: admin, unless the role may not (403); then the first role that may. */
const actorToken = new Map<string, string>();
const baselines: string[] = [];

async function record<T>(what: string, call: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const r = await call;
  if (!r.data) throw new Error(`setup: ${what}: ${JSON.stringify(r.error)}`);
  return r.data;
}

beforeAll(async () => {
  // The contract's example webhook URL is allowed without a DNS lookup (no network in tests).
  t = await startTestApp({ DUPLICATE_CHECK_PER_MINUTE: '10000', LOGIN_MAX_FAILURES: '100', WEBHOOK_ALLOWED_HOSTS: 'erp.example.com' });
  w = await buildWorld(t);
  const customer = await createCustomer(w.salesEast1);
  const spare = await createCustomer(w.salesEast1);
  const interaction = await record(
    'interaction',
    w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', { params: { path: { id: customer.id } }, body: { occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话沟通二期采购计划' } }),
  );
  const complaint = await record(
    'complaint',
    w.service.api.POST('/api/v1/complaints', {
      body: { customerId: customer.id, channel: 'phone', category: 'delivery', severity: 'general', title: '到货延迟', description: '第二批货物晚到三天', customerMood: 'upset', receivedAt: new Date().toISOString() },
    }),
  );
  const request = await record(
    'customer request',
    w.service.api.POST('/api/v1/customers/{id}/requests', {
      params: { path: { id: customer.id } },
      body: { kind: 'problem', channel: 'wecom', receivedAt: new Date().toISOString(), subject: '设备报警', content: '二号产线设备报警无法复位' },
    }),
  );
  const approval = await record('deletion request', w.salesEast1.api.POST('/api/v1/customers/{id}/deletion-requests', { params: { path: { id: spare.id } }, body: { reason: '测试数据' } }));
  const transfer = await record('transfer', w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [spare.id], reason: '区域调整' } }));
  const exported = await record('export', w.salesEast1.api.POST('/api/v1/exports', { body: { filter: {}, format: 'csv', reason: '季度配送计划', recipient: '顺丰速运华东区' } }));
  const group = await record('tag group', w.admin.api.POST('/api/v1/tag-groups', { body: { name: '模糊测试组' } }));
  const tag = await record('tag', w.admin.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: group.id } }, body: { name: '模糊标签' } }));
  const tiers = await record('tiers', w.admin.api.GET('/api/v1/tiers'));
  const review = await record('review round', w.managerEast.api.POST('/api/v1/reviews', { body: { scope: 'all', dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() } }));
  const webhook = await record('webhook', w.admin.api.POST('/api/v1/webhooks', { body: { url: 'https://erp.example.com/crm-events', events: ['customer.'] } }));
  const victim = await t.userClient('sales', { departmentId: w.east });
  const opportunity = await record(
    'opportunity',
    w.salesEast1.api.POST('/api/v1/customers/{id}/opportunities', {
      params: { path: { id: customer.id } },
      body: { title: '二期项目', source: 'referral', amount: 500000, expectedCloseDate: '2027-06-30', stage: 'lead', strategy: '跟进' },
    }),
  );
  const activity = await record(
    'activity',
    w.salesEast1.api.POST('/api/v1/activities', {
      body: { kind: 'visit_plan', title: '客户拜访', startsAt: new Date(Date.now() + 5 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 5.1 * 86_400_000).toISOString(), customerIds: [customer.id], plan: '介绍新品' },
    }),
  );
  const salesToken = await tokenFor(t, w.salesEast1.username, `password-of-${w.salesEast1.username}`);
  const attach = async (parent: string, id: string) => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')]), '资料.pdf');
    const r = await fetch(`${t.baseUrl}/api/v1/${parent}/${id}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${salesToken}` }, body: form });
    if (r.status !== 201) throw new Error(`setup: attachment: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { id: string }).id;
  };
  ids = {
    opportunity: opportunity.id,
    activity: activity.id,
    opportunityAttachment: await attach('opportunities', opportunity.id),
    activityAttachment: await attach('activities', activity.id),
    customer: customer.id,
    contact: customer.contacts[0].id,
    interaction: interaction.id,
    complaint: complaint.id,
    request: request.id,
    approval: approval.id,
    transfer: transfer.id,
    export: exported.id,
    department: w.east,
    user: victim.id,
    tagGroup: group.id,
    tag: tag.id,
    tier: tiers[0].id,
    review: review.id,
    webhook: webhook.id,
  };
  const roles: Actor[] = [w.admin, w.salesEast1, w.managerEast, w.service, w.auditor, w.marketing];
  const roleTokens = new Map<Actor, string>();
  for (const actor of roles) {
    roleTokens.set(actor, actor === w.admin ? await tokenFor(t, 'admin', ADMIN_PASSWORD) : await tokenFor(t, actor.username, `password-of-${actor.username}`));
  }
  // Baselines: the valid request of each operation, as the first role allowed to make it.
  for (const op of OPERATIONS) {
    if (NOT_EXERCISED[op.label]) continue;
    let chosen = roleTokens.get(w.admin)!;
    if (op.method !== 'DELETE') {
      for (const actor of roles) {
        const outcome = await send(op, roleTokens.get(actor)!, { input: ABSENT });
        chosen = roleTokens.get(actor)!;
        if (outcome.status >= 500) baselines.push(`${op.label}: the valid request crashed (${outcome.status} ${outcome.code ?? ''})`);
        if (outcome.status !== 403) break;
      }
    }
    actorToken.set(op.label, chosen);
  }
  // Destructive operations last, so the records they remove serve the others first.
  OPERATIONS.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const exercised = () => OPERATIONS.filter((op) => !NOT_EXERCISED[op.label]);

function breakCases(family: (f: string) => boolean): Case[] {
  return exercised().flatMap((op) =>
    fieldsOf(op).flatMap((field) => breaksOf(field).filter((b) => family(b.family)).map((b) => ({ op, field, family: b.family, input: b.input, expect: '4xx' as const }))),
  );
}

function oddityCases(family: string): Case[] {
  return exercised().flatMap((op) =>
    fieldsOf(op).flatMap((field) => odditiesOf(field).filter((o) => o.family === family).map((o) => ({ op, field, family, input: o.input, expect: 'not 5xx' as const }))),
  );
}

describe('the contract walk', () => {
  it('exercises every operation of the contract, or lists why not', () => {
    expect(OPERATIONS.length).toBeGreaterThan(80);
    for (const op of OPERATIONS) expect(NOT_EXERCISED[op.label] !== undefined || actorToken.has(op.label)).toBe(true);
  });

  it('answers every valid baseline request without a 5xx', () => {
    expect(baselines).toEqual([]);
  });
});

describe('one field broken at a time: a 4xx, never 2xx or 5xx', () => {
  it.each(['missing required', 'wrong type', 'out of bounds', 'bad format', 'not in enum'])('%s', async (family) => {
    const cases = breakCases((f) => f === family);
    expect(cases.length).toBeGreaterThan(0);
    expect(await run(cases)).toEqual([]);
  }, 60_000);

  it('missing or non-object bodies', async () => {
    const withBody = exercised().filter((op) => op.body);
    const raw = [
      { body: undefined, contentType: undefined },
      { body: undefined, contentType: 'application/json' },
      { body: 'null', contentType: 'application/json' },
      { body: '[]', contentType: 'application/json' },
      { body: '"text"', contentType: 'application/json' },
      { body: '{"a":', contentType: 'application/json' },
      { body: 'a=1', contentType: 'text/plain' },
    ];
    const cases: Case[] = withBody.flatMap((op) => raw.map((rawBody) => ({ op, family: 'missing bodies', input: ABSENT, rawBody, expect: '4xx' as const })));
    expect(await run(cases)).toEqual([]);
  }, 60_000);
});

describe('plausible oddities: never a 5xx', () => {
  it.each(['cursors', 'dates', 'numbers', 'strings', 'growing strings', 'uuids', 'path ids', 'nulls'])('%s', async (family) => {
    const cases = oddityCases(family);
    expect(cases.length).toBeGreaterThan(0);
    expect(await run(cases)).toEqual([]);
  }, 60_000);

  it('an empty object as the body', async () => {
    const cases: Case[] = exercised()
      .filter((op) => op.body)
      .map((op) => ({ op, family: 'missing bodies', input: ABSENT, rawBody: { body: '{}', contentType: 'application/json' }, expect: 'not 5xx' as const }));
    expect(await run(cases)).toEqual([]);
  }, 60_000);

  it('random Unicode in string fields (fast-check, fixed seed)', async () => {
    const stringFields = exercised().flatMap((op) =>
      fieldsOf(op)
        .filter((f) => f.schema.type === 'string' && !f.schema.enum && f.schema.format === undefined && f.where !== 'path' && f.where !== 'header')
        .map((field) => ({ op, field })),
    );
    const arbitrary = fc.tuple(fc.constantFrom(...stringFields), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }));
    const cases: Case[] = fc
      .sample(arbitrary, { seed: SEED, numRuns: RANDOM_STRING_RUNS })
      .map(([target, input]) => ({ op: target.op, field: target.field, family: 'random unicode', input, expect: 'not 5xx' as const }));
    expect(await run(cases)).toEqual([]);
  }, 60_000);
});
