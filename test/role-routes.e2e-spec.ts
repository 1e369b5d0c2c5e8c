import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { creditCodeCheckChar } from '../src/modules/customers/customer.rules';
import { ADMIN_PASSWORD, Role, startTestApp, TestApp, tokenFor } from './support/test-app';

/**
 * Role × route (issue 11, "Done when", second bullet). Every operation of the contract that names
 * a customer, contact, interaction, complaint, approval, transfer or export (in its path, or in its
 * body where that is the only way to name the record) is called by every role, and by a second
 * user of the same role in another department. Whoever cannot see the record gets 404 and nothing
 * else; whoever sees it but may not do the action gets a problem (403, or 405 for DELETE) that
 * carries none of the record's data; whoever may do it succeeds.
 *
 * The list of operations comes from openapi/openapi.json: a new route of that kind without a row
 * in CASES fails the first test, so it cannot be forgotten.
 */

// ---------------------------------------------------------------------------------------------
// The contract: which operations name one of those records
// ---------------------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Json = Record<string, unknown>;

/** A path segment naming one of these records, followed by a path parameter, names its id. */
const RECORD_SEGMENTS = ['customers', 'contacts', 'interactions', 'complaints', 'requests', 'approvals', 'transfers', 'exports', 'reviews', 'opportunities', 'activities'];
/** A request-body property naming one of these records (customerId, customerIds, survivorId, mergedIds, newPrimaryContactId …). */
const RECORD_BODY_PROPERTY = /(customer|contact|interaction|complaint|approval|transfer|export|survivor|merged)Ids?$/i;

const contract = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Json }> } }>>;
  components: { schemas: Record<string, Json> };
};

function resolveSchema(schema: Json | undefined): Json | undefined {
  const ref = schema?.$ref as string | undefined;
  return ref ? contract.components.schemas[ref.split('/').pop()!] : schema;
}

/** Property names of a request body, nested objects and arrays included. */
function bodyProperties(schema: Json | undefined, seen = new Set<Json>()): string[] {
  const s = resolveSchema(schema);
  if (!s || seen.has(s)) return [];
  seen.add(s);
  const own = Object.entries((s.properties ?? {}) as Record<string, Json>);
  return [
    ...own.map(([name]) => name),
    ...own.flatMap(([, p]) => [...bodyProperties(p, seen), ...bodyProperties(p.items as Json | undefined, seen)]),
    ...((s.allOf ?? []) as Json[]).flatMap((p) => bodyProperties(p, seen)),
  ];
}

function operationsNamingRecords(): string[] {
  const keys: string[] = [];
  for (const [path, operations] of Object.entries(contract.paths)) {
    const segments = path.split('/');
    const byPath = segments.some((segment, i) => RECORD_SEGMENTS.includes(segment) && /^\{.+\}$/.test(segments[i + 1] ?? ''));
    for (const [method, operation] of Object.entries(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const byBody = bodyProperties(operation.requestBody?.content?.['application/json']?.schema).some((p) => RECORD_BODY_PROPERTY.test(p));
      if (byPath || byBody) keys.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return keys.sort();
}

function contractOperations(): string[] {
  return Object.entries(contract.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}

/** Send a field only once the contract has it (the export's `recipient` arrives with issue 11). */
function ifContractHas(schemaName: string, property: string, value: unknown): Json {
  return property in ((contract.components.schemas[schemaName]?.properties ?? {}) as Json) ? { [property]: value } : {};
}

// ---------------------------------------------------------------------------------------------
// Actors
// ---------------------------------------------------------------------------------------------

const ACTOR_NAMES = [
  'admin',
  'adminWest',
  'managerEast',
  'managerWest',
  'salesEast1',
  'salesEast2',
  'salesWest',
  'serviceEast',
  'serviceWest',
  'marketingEast',
  'marketingWest',
  'auditorEast',
  'auditorWest',
] as const;
type ActorName = (typeof ACTOR_NAMES)[number];

interface Person {
  name: ActorName;
  role: Role;
  id: string;
  token: string;
}

/** Who sees the subject customer (owned by salesEast1 in East, active, no marketing consent) and all that hangs off it. */
const SEES_CUSTOMER: readonly ActorName[] = ['admin', 'adminWest', 'managerEast', 'salesEast1', 'serviceEast', 'serviceWest', 'auditorEast', 'auditorWest'];
/** A deletion request by salesEast1: its requester, admins, auditors, and the manager who may decide its pending step. */
const SEES_APPROVAL: readonly ActorName[] = ['admin', 'adminWest', 'auditorEast', 'auditorWest', 'salesEast1', 'managerEast'];
/** A transfer requested by salesEast1: requester, admins, auditors, and whoever sees one of its customers. */
const SEES_TRANSFER: readonly ActorName[] = SEES_CUSTOMER;
/** An export requested by salesEast1: requester, admins, auditors. */
const SEES_EXPORT: readonly ActorName[] = ['admin', 'adminWest', 'auditorEast', 'auditorWest', 'salesEast1'];
/** A review round of East (issue 17): admins, auditors, East's manager, and salesEast1 who has tasks in it. */
const SEES_REVIEW: readonly ActorName[] = ['admin', 'adminWest', 'auditorEast', 'auditorWest', 'managerEast', 'salesEast1'];
/** An opportunity of the subject customer: as the customer, without service and marketing (no role of theirs reads the pipeline). */
const SEES_OPPORTUNITY: readonly ActorName[] = ['admin', 'adminWest', 'managerEast', 'salesEast1', 'auditorEast', 'auditorWest'];
/** A customer whose owner was deactivated (succession): as the customer, without salesEast1 who is not its owner. */
const SEES_ORPHAN: readonly ActorName[] = SEES_CUSTOMER.filter((n) => n !== 'salesEast1');

// ---------------------------------------------------------------------------------------------
// The case table: one row per operation, keyed "METHOD path"
// ---------------------------------------------------------------------------------------------

type Kind = 'customer' | 'contact' | 'interaction' | 'complaint' | 'request' | 'approval' | 'transfer' | 'export' | 'review' | 'opportunity' | 'activity';

/** The records a case works on. */
interface Subjects {
  consented: boolean;
  customer: string;
  /** Another customer of salesEast1's, for merges. */
  secondCustomer: string;
  contact: string;
  interaction: string;
  complaint: string;
  /** A customer request (issue 15): a need, dispatched to salesEast1 (the owner). */
  request: string;
  approval: string;
  transfer: string;
  export: string;
  /** A review round of East opened by its manager. */
  review: string;
  /** The deactivated owner of `customer`, for succession. */
  formerOwner?: string;
  /** A sales opportunity of `customer` (issue 16), owned by salesEast1. */
  opportunity: string;
  /** An activity for `customer` planned by salesEast1 (East). */
  activity: string;
  /** A file salesEast1 attached to `opportunity`, and one to `activity`. */
  opportunityAttachment: string;
  activityAttachment: string;
}

interface Case {
  /** Which record the path id (or the body id) names. */
  subject: Kind;
  write: boolean;
  /** Given that the actor sees the record: may their role (or they) do this? */
  may: (p: Person) => boolean;
  /** A valid request body, so that a 400 never hides the access decision. */
  body?: (s: Subjects, p: Person) => unknown;
  /** The write would disturb the shared subjects or cannot be repeated: each allowed actor gets fresh records, the others share one fresh set. */
  fresh?: (base: Subjects) => Promise<Partial<Subjects>>;
  /** Several ids in a body: an invisible id is reported `not_found` (or the whole call is 404). */
  bulk?: true;
  /** Who sees the subject, when it is not the default for its kind. */
  visibleTo?: readonly ActorName[];
  /** Status for a visible actor who may not do it (default 403). */
  deniedStatus?: number;
  /** What an allowed actor gets, when it is not a 2xx (the access decision passed, the state does not allow it). */
  allowedOutcome?: { status: number; code: string };
}

const anyone = () => true;
const nobody = () => false;
const roles =
  (...allowed: Role[]) =>
  (p: Person) =>
    allowed.includes(p.role);
const only =
  (...names: ActorName[]) =>
  (p: Person) =>
    names.includes(p.name);
const changers = roles('admin', 'manager', 'sales');
const complaintHandlers = roles('admin', 'manager', 'service');
const handlerOrAssignee = (p: Person) => complaintHandlers(p) || p.name === 'salesEast1';
/** Whoever sees a request and is not read-only works on it. */
const requestActors = roles('admin', 'manager', 'sales', 'service');
/** Reporting a common issue upward: admins, managers, and the assignee (salesEast1 for the subject complaint and request). */
const reportsUpward = (p: Person) => roles('admin', 'manager')(p) || p.name === 'salesEast1';

let t: TestApp;
let P: Record<ActorName, Person>;
let tagId: string;
let tierId: string;
let plain: Subjects;
let consented: Subjects;
let sequence = 0;
/** Every piece of subject data, none of which may appear in a refusal. */
const secrets: string[] = [];

const versionOf = async (table: 'customers' | 'contacts' | 'interactions' | 'opportunities', id: string) =>
  (await t.db.query(`SELECT version FROM ${table} WHERE id = $1`, [id])).rows[0].version as number;

const CASES: Record<string, Case> = {
  // customers
  'GET /api/v1/customers/{id}': { subject: 'customer', write: false, may: anyone },
  'PATCH /api/v1/customers/{id}': {
    subject: 'customer',
    write: true,
    may: changers,
    body: async (s) => ({ industry: '批发和零售业', version: await versionOf('customers', s.customer) }),
  },
  'DELETE /api/v1/customers/{id}': { subject: 'customer', write: true, may: nobody, deniedStatus: 405 },
  'GET /api/v1/customers/{id}/history': { subject: 'customer', write: false, may: roles('admin', 'manager', 'sales', 'auditor') },
  'GET /api/v1/customers/{id}/consents': { subject: 'customer', write: false, may: anyone },
  'POST /api/v1/customers/{id}/consent': {
    subject: 'customer',
    write: true,
    may: changers,
    // withdrawn, so that marketing's view of the subject does not change
    body: () => ({ status: 'withdrawn', channel: 'sms', evidence: '客户来电要求不再接收营销短信' }),
  },
  'GET /api/v1/customers/{id}/contacts': { subject: 'customer', write: false, may: anyone },
  'POST /api/v1/customers/{id}/contacts': { subject: 'customer', write: true, may: changers, body: () => newContact() },
  'GET /api/v1/customers/{id}/interactions': { subject: 'customer', write: false, may: roles('admin', 'manager', 'sales', 'service', 'auditor') },
  'POST /api/v1/customers/{id}/interactions': {
    subject: 'customer',
    write: true,
    may: roles('admin', 'manager', 'sales', 'service'),
    body: () => ({ occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话回访，确认交付安排' }),
  },
  'POST /api/v1/customers/{id}/deletion-requests': {
    subject: 'customer',
    write: true,
    may: changers,
    fresh: async (base) => ({ customer: (await makeCustomer(base.consented)).customer }),
    body: () => ({ reason: '重复建档，已与另一档案核对' }),
  },
  'POST /api/v1/customers/{id}/reactivate': {
    subject: 'customer',
    write: true,
    may: roles('admin', 'manager'),
    body: () => ({ reason: '客户重新下单' }),
    // the subject is active: getting this far means the access decision let the caller through
    allowedOutcome: { status: 409, code: 'CUSTOMER_NOT_ARCHIVED' },
  },
  'POST /api/v1/customers/{id}/tags': { subject: 'customer', write: true, may: roles('admin', 'manager', 'sales', 'marketing'), body: () => ({ add: [tagId] }) },
  'PUT /api/v1/customers/{id}/tier': { subject: 'customer', write: true, may: roles('admin', 'manager'), body: () => ({ tierId, reason: '年采购额增长' }) },
  'POST /api/v1/customers/{id}/review': { subject: 'customer', write: true, may: only('salesEast1'), body: () => ({ confirmed: true }) },
  'GET /api/v1/customers/{id}/tier-history': { subject: 'customer', write: false, may: roles('admin', 'manager', 'sales', 'auditor') },
  'POST /api/v1/customers/tags/bulk': {
    subject: 'customer',
    write: true,
    bulk: true,
    may: roles('admin', 'manager', 'sales', 'marketing'),
    body: (s) => ({ customerIds: [s.customer], add: [tagId] }),
  },
  'POST /api/v1/customers/merge-preview': {
    subject: 'customer',
    write: false,
    may: roles('admin', 'manager'),
    body: (s) => ({ survivorId: s.customer, mergedIds: [s.secondCustomer] }),
  },
  'POST /api/v1/customers/merge-requests': {
    subject: 'customer',
    write: true,
    may: roles('admin', 'manager'),
    fresh: async (base) => ({ customer: (await makeCustomer(base.consented)).customer, secondCustomer: (await makeCustomer(base.consented)).customer }),
    body: (s) => ({ survivorId: s.customer, mergedIds: [s.secondCustomer], reason: '同一客户重复建档' }),
  },

  // contacts
  'PATCH /api/v1/contacts/{id}': {
    subject: 'contact',
    write: true,
    may: changers,
    body: async (s) => ({ position: '采购总监', version: await versionOf('contacts', s.contact) }),
  },
  'POST /api/v1/contacts/{id}/mark-left': {
    subject: 'contact',
    write: true,
    may: changers,
    fresh: async (base) => ({ contact: await addContact(base.customer) }),
    body: () => ({ reason: '原对接人离职' }),
  },

  // interactions
  'PATCH /api/v1/interactions/{id}': {
    subject: 'interaction',
    write: true,
    may: only('salesEast1'), // only the author corrects a record
    body: async (s) => ({ summary: '电话沟通二期采购计划（更正）', version: await versionOf('interactions', s.interaction) }),
  },
  // every version of a record: whoever may read the customer's interactions
  'GET /api/v1/interactions/{id}/versions': { subject: 'interaction', write: false, may: roles('admin', 'manager', 'sales', 'service', 'auditor') },

  // complaints
  'POST /api/v1/complaints': { subject: 'customer', write: true, may: roles('admin', 'manager', 'sales', 'service'), body: (s) => complaintBody(s.customer) },
  'GET /api/v1/complaints/{id}': { subject: 'complaint', write: false, may: roles('admin', 'manager', 'sales', 'service', 'auditor') },
  'POST /api/v1/complaints/{id}/assign': { subject: 'complaint', write: true, may: complaintHandlers, body: () => ({ assigneeId: P.salesEast1.id }) },
  'POST /api/v1/complaints/{id}/start': {
    subject: 'complaint',
    write: true,
    may: handlerOrAssignee,
    fresh: async (base) => ({ complaint: await makeComplaint(base.customer, 'assigned') }),
  },
  'POST /api/v1/complaints/{id}/resolve': {
    subject: 'complaint',
    write: true,
    may: handlerOrAssignee,
    fresh: async (base) => ({ complaint: await makeComplaint(base.customer, 'in_progress') }),
    body: () => ({ resolution: '已补偿运费，并调整物流商' }),
  },
  'POST /api/v1/complaints/{id}/verify': {
    subject: 'complaint',
    write: true,
    may: complaintHandlers,
    fresh: async (base) => ({ complaint: await makeComplaint(base.customer, 'resolved') }),
    body: () => ({ satisfaction: 4, comment: '客户对处理速度满意' }),
  },
  'POST /api/v1/complaints/{id}/close': {
    subject: 'complaint',
    write: true,
    may: complaintHandlers,
    fresh: async (base) => ({ complaint: await makeComplaint(base.customer, 'verified') }),
  },
  'POST /api/v1/complaints/{id}/reopen': {
    subject: 'complaint',
    write: true,
    may: complaintHandlers,
    fresh: async (base) => ({ complaint: await makeComplaint(base.customer, 'resolved') }),
    body: () => ({ reason: '客户反馈问题复现' }),
  },
  'POST /api/v1/complaints/{id}/notify-customer': {
    subject: 'complaint',
    write: true,
    may: handlerOrAssignee,
    body: () => ({ channel: 'phone', summary: '已电话告知客户处理进展' }),
  },
  'POST /api/v1/complaints/{id}/report-upward': { subject: 'complaint', write: true, may: reportsUpward, body: () => ({ reportUpward: true, topic: '交货延迟' }) },
  'POST /api/v1/complaints/{id}/escalate': {
    subject: 'complaint',
    write: true,
    may: roles('admin', 'manager', 'sales', 'service'),
    body: () => ({ reason: '客户情绪激动，要求主管介入' }),
  },

  // customer requests (issue 15): a need of the subject customer, dispatched to its owner salesEast1
  'POST /api/v1/customers/{id}/requests': { subject: 'customer', write: true, may: roles('admin', 'manager', 'sales', 'service'), body: () => requestBody() },
  'POST /api/v1/requests': { subject: 'customer', write: true, may: roles('admin', 'manager', 'sales', 'service'), body: (s) => ({ ...requestBody(), customerId: s.customer }) },
  'GET /api/v1/requests/{id}': { subject: 'request', write: false, may: roles('admin', 'manager', 'sales', 'service', 'auditor') },
  'POST /api/v1/requests/{id}/assign': { subject: 'request', write: true, may: requestActors, body: () => ({ assigneeId: P.salesEast1.id, reason: '仍由负责人跟进' }) },
  'POST /api/v1/requests/{id}/acknowledge': {
    subject: 'request',
    write: true,
    may: requestActors,
    fresh: async (base) => ({ request: await makeRequest(base.customer, 'new') }),
    body: () => ({ channel: 'phone', text: '已收到，今天内答复' }),
  },
  'POST /api/v1/requests/{id}/start': { subject: 'request', write: true, may: requestActors, fresh: async (base) => ({ request: await makeRequest(base.customer, 'acknowledged') }) },
  'POST /api/v1/requests/{id}/progress': { subject: 'request', write: true, may: requestActors, fresh: async (base) => ({ request: await makeRequest(base.customer, 'acknowledged') }), body: () => ({ text: '已安排报价' }) },
  'POST /api/v1/requests/{id}/answer': { subject: 'request', write: true, may: requestActors, fresh: async (base) => ({ request: await makeRequest(base.customer, 'acknowledged') }), body: () => ({ answer: '报价已发送' }) },
  'POST /api/v1/requests/{id}/close': { subject: 'request', write: true, may: requestActors, fresh: async (base) => ({ request: await makeRequest(base.customer, 'answered') }), body: () => ({}) },
  'POST /api/v1/requests/{id}/report-upward': { subject: 'request', write: true, may: reportsUpward, body: () => ({ reportUpward: true, topic: '报价咨询' }) },
  // whoever sees the request and may file a complaint on its customer; once per request
  'POST /api/v1/requests/{id}/escalate-to-complaint': {
    subject: 'request',
    write: true,
    may: requestActors,
    fresh: async (base) => ({ request: await makeRequest(base.customer, 'acknowledged') }),
    body: () => ({ category: 'service_quality', severity: 'general', customerMood: 'upset', reason: '客户要求按投诉处理' }),
  },
  'POST /api/v1/requests/{id}/reopen': {
    subject: 'request',
    write: true,
    may: requestActors,
    fresh: async (base) => ({ request: await makeRequest(base.customer, 'answered') }),
    body: () => ({ reason: '客户追问细节' }),
  },

  // approvals (a deletion request by salesEast1: the East manager's step is pending)
  'GET /api/v1/approvals/{id}': { subject: 'approval', write: false, may: anyone },
  'POST /api/v1/approvals/{id}/approve': {
    subject: 'approval',
    write: true,
    may: only('managerEast'),
    fresh: async () => ({ approval: await makeDeletionRequest() }),
    body: () => ({ comment: '同意' }),
  },
  'POST /api/v1/approvals/{id}/reject': {
    subject: 'approval',
    write: true,
    may: only('managerEast'),
    fresh: async () => ({ approval: await makeDeletionRequest() }),
    body: () => ({ comment: '不同意，档案仍在使用' }),
  },
  'POST /api/v1/approvals/{id}/cancel': {
    subject: 'approval',
    write: true,
    may: only('salesEast1'),
    fresh: async () => ({ approval: await makeDeletionRequest() }),
  },

  // transfers
  'GET /api/v1/transfers/{id}': { subject: 'transfer', write: false, may: roles('admin', 'manager', 'sales', 'auditor') },
  'POST /api/v1/transfers': {
    subject: 'customer',
    write: true,
    bulk: true,
    may: changers,
    fresh: async (base) => ({ customer: (await makeCustomer(base.consented)).customer }),
    body: (s) => ({ toUserId: P.salesEast2.id, customerIds: [s.customer], reason: '区域调整' }),
  },
  'POST /api/v1/transfers/succession': {
    subject: 'customer',
    write: true,
    bulk: true,
    may: roles('admin', 'manager'),
    visibleTo: SEES_ORPHAN,
    fresh: () => makeOrphan(),
    body: (s) => ({ fromUserId: s.formerOwner, toUserId: P.salesEast2.id, customerIds: [s.customer], reason: '原负责人离职' }),
  },

  // exports (requested by salesEast1, approved by the East manager)
  'GET /api/v1/exports/{id}': { subject: 'export', write: false, may: anyone },
  // reviews (issue 17)
  'GET /api/v1/reviews/{id}': { subject: 'review', write: false, may: anyone },
  'GET /api/v1/exports/{id}/customer-ids': { subject: 'export', write: false, may: anyone },
  // The file is the requester's alone: for everyone else it does not exist.
  'GET /api/v1/exports/{id}/download': { subject: 'export', write: false, may: only('salesEast1'), visibleTo: ['salesEast1'] },

  // opportunities (issue 16): one of the subject customer's, owned by salesEast1
  'POST /api/v1/customers/{id}/opportunities': { subject: 'customer', write: true, may: changers, body: () => opportunityBody() },
  'GET /api/v1/opportunities/{id}': { subject: 'opportunity', write: false, may: anyone },
  'PATCH /api/v1/opportunities/{id}': {
    subject: 'opportunity',
    write: true,
    may: changers,
    body: async (s) => ({ strategy: '强调交付周期', version: await versionOf('opportunities', s.opportunity) }),
  },
  'GET /api/v1/opportunities/{id}/history': { subject: 'opportunity', write: false, may: anyone },
  'POST /api/v1/opportunities/{id}/attachments': { subject: 'opportunity', write: true, may: changers, body: () => fileForm() },
  'GET /api/v1/opportunities/{id}/attachments': { subject: 'opportunity', write: false, may: anyone },
  'GET /api/v1/opportunities/{id}/attachments/{attachmentId}': { subject: 'opportunity', write: false, may: anyone },
  'DELETE /api/v1/opportunities/{id}/attachments/{attachmentId}': {
    subject: 'opportunity',
    write: true,
    // the uploader (salesEast1), the department's manager, admins
    may: only('salesEast1', 'managerEast', 'admin', 'adminWest'),
    fresh: async (base) => ({ opportunityAttachment: await attach('opportunities', base.opportunity) }),
  },

  // activities (issue 16): planned by salesEast1 for the subject customer; seen by whoever sees the customer
  'POST /api/v1/activities': {
    subject: 'customer',
    write: true,
    bulk: true,
    may: roles('admin', 'manager', 'sales', 'marketing'),
    body: (s) => activityBody(s.customer),
  },
  'GET /api/v1/customers/{id}/activities': { subject: 'customer', write: false, may: anyone },
  'GET /api/v1/activities/{id}': { subject: 'activity', write: false, may: anyone },
  'POST /api/v1/activities/{id}/outcome': {
    subject: 'activity',
    write: true,
    // its owner, the manager of its department, admins
    may: only('salesEast1', 'managerEast', 'admin', 'adminWest'),
    body: () => ({ happenedAt: new Date().toISOString(), summary: '客户对新品兴趣较高', evaluation: 4, feedbackSummary: '希望尽快报价' }),
  },
  'POST /api/v1/activities/{id}/attachments': { subject: 'activity', write: true, may: roles('admin', 'manager', 'sales', 'marketing'), body: () => fileForm() },
  'GET /api/v1/activities/{id}/attachments': { subject: 'activity', write: false, may: anyone },
  'GET /api/v1/activities/{id}/attachments/{attachmentId}': { subject: 'activity', write: false, may: anyone },
  'DELETE /api/v1/activities/{id}/attachments/{attachmentId}': {
    subject: 'activity',
    write: true,
    may: only('salesEast1', 'managerEast', 'admin', 'adminWest'),
    fresh: async (base) => ({ activityAttachment: await attach('activities', base.activity) }),
  },
};

function visibleTo(c: Case, s: Subjects): readonly ActorName[] {
  if (c.visibleTo) return c.visibleTo;
  switch (c.subject) {
    case 'approval':
      return SEES_APPROVAL;
    case 'transfer':
      return SEES_TRANSFER;
    case 'export':
      return SEES_EXPORT;
    case 'review':
      return SEES_REVIEW;
    case 'opportunity':
      return SEES_OPPORTUNITY;
    default:
      return s.consented ? [...SEES_CUSTOMER, 'marketingEast', 'marketingWest'] : SEES_CUSTOMER;
  }
}

/** Read-only, whatever the route says: auditors; marketing except tagging; service except interactions and complaints. */
function readOnlyFor(p: Person, key: string): boolean {
  if (p.role === 'auditor') return true;
  if (p.role === 'marketing') return !/\/tags(\/bulk)?$/.test(key) && !/ \/api\/v1\/activities(\/|$)/.test(key);
  if (p.role === 'service') return !/ \/api\/v1\/(customers\/\{id\}\/(interactions|requests)|interactions\/\{id\}|complaints(\/\{id\}\/[a-z-]+)?|requests(\/\{id\}\/[a-z-]+)?)$/.test(key);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Calling and judging
// ---------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  type: string;
  text: string;
  json: Json | undefined;
}

async function call(p: Person, method: Method, path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${p.token}` };
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  const r = await fetch(`${t.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : form ? body : JSON.stringify(body) });
  const text = await r.text();
  let json: Json | undefined;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    json = undefined;
  }
  return { status: r.status, type: r.headers.get('content-type') ?? '', text, json };
}

/** For setup: the call must succeed. */
async function must(p: Person, method: Method, path: string, body?: unknown): Promise<Json> {
  const r = await call(p, method, path, body);
  if (r.status >= 300) throw new Error(`setup: ${p.name} ${method} ${path} answered ${r.status} ${r.text}`);
  return r.json!;
}

type Expectation = { kind: 'hidden' } | { kind: 'hidden-bulk' } | { kind: 'denied'; status: number } | { kind: 'allowed'; outcome?: { status: number; code: string } };

function expectationFor(c: Case, p: Person, s: Subjects): Expectation {
  if (!visibleTo(c, s).includes(p.name)) return c.bulk ? { kind: 'hidden-bulk' } : { kind: 'hidden' };
  if (!c.may(p)) return { kind: 'denied', status: c.deniedStatus ?? 403 };
  return { kind: 'allowed', outcome: c.allowedOutcome };
}

const describeExpectation = (e: Expectation) =>
  e.kind === 'hidden'
    ? '404'
    : e.kind === 'hidden-bulk'
      ? '404 or the id reported not_found'
      : e.kind === 'denied'
        ? `${e.status} problem without data`
        : e.outcome
          ? `${e.outcome.status} ${e.outcome.code}`
          : '2xx';

const isProblem = (r: Reply) => r.type.startsWith('application/problem+json');
const leakIn = (r: Reply) => secrets.find((secret) => r.text.toLowerCase().includes(secret.toLowerCase()));

/** Whether a bulk answer names `id` as not found (tag bulk: result not_found; transfers: reason NOT_FOUND). */
function reportsNotFound(value: unknown, id: string): boolean {
  if (Array.isArray(value)) return value.some((v) => reportsNotFound(v, id));
  if (!value || typeof value !== 'object') return false;
  const o = value as Json;
  if (o.customerId === id && Object.values(o).some((v) => typeof v === 'string' && /^not[_-]?found$/i.test(v))) return true;
  return Object.values(o).some((v) => reportsNotFound(v, id));
}

function judge(e: Expectation, r: Reply, id: string): string | undefined {
  const leak = r.status >= 300 || e.kind !== 'allowed' ? leakIn(r) : undefined;
  const got = `${r.status}${typeof r.json?.code === 'string' ? ` ${r.json.code}` : ''}${r.status >= 400 && !isProblem(r) ? ` (${r.type || 'no content type'})` : ''}${leak ? ` leaking "${leak}"` : ''}`;
  const ok = (() => {
    switch (e.kind) {
      case 'hidden':
        return r.status === 404 && isProblem(r);
      case 'hidden-bulk':
        return (r.status === 404 && isProblem(r)) || reportsNotFound(r.json, id);
      case 'denied':
        return r.status === e.status && isProblem(r);
      case 'allowed':
        return e.outcome ? r.status === e.outcome.status && r.json?.code === e.outcome.code : r.status >= 200 && r.status < 300;
    }
  })();
  return ok && !leak ? undefined : got;
}

interface Outcome {
  actor: ActorName;
  role: Role;
  key: string;
  write: boolean;
  status: number;
}
const outcomes: Outcome[] = [];

/** Runs one case for `actors`; returns a line per actor that did not get what it should. */
async function runCase(key: string, actors: Person[], base: Subjects): Promise<string[]> {
  const c = CASES[key];
  const [method, path] = key.split(' ') as [Method, string];
  const attempt = async (p: Person, s: Subjects) => {
    const id = s[c.subject];
    const body = c.body ? await c.body(s, p) : undefined;
    const attachmentId = c.subject === 'opportunity' ? s.opportunityAttachment : s.activityAttachment;
    const r = await call(p, method, path.replace(/\{[^}]+\}/, id).replace('{attachmentId}', attachmentId), body);
    outcomes.push({ actor: p.name, role: p.role, key, write: c.write, status: r.status });
    const e = expectationFor(c, p, s);
    let got = judge(e, r, id);
    if (got && (e.kind === 'hidden' || e.kind === 'hidden-bulk') && (r.status === 403 || r.status === 405) && isProblem(r) && !leakIn(r)) {
      // A refusal of the route itself (the role may not call it at all) is the same for every id, so it
      // says nothing about the record: the same call naming an id that does not exist must get the same answer.
      const nobody = randomUUID();
      const probeBody = body === undefined || body instanceof FormData ? body : JSON.parse(JSON.stringify(body).split(id).join(nobody));
      const probe = await call(p, method, path.replace(/\{[^}]+\}/, nobody).replace('{attachmentId}', randomUUID()), body instanceof FormData ? fileForm() : probeBody);
      if (probe.status === r.status && probe.json?.code === r.json?.code) got = undefined;
    }
    return got ? `${p.name.padEnd(13)} ${key.padEnd(52)} expected ${describeExpectation(e)}, got ${got}` : undefined;
  };
  const allowed = actors.filter((p) => expectationFor(c, p, base).kind === 'allowed');
  const others = actors.filter((p) => !allowed.includes(p));
  const lines: (string | undefined)[] = [];
  // Those who must be refused share one subject (fresh when the case needs it) and go first, a few at a time.
  const shared = c.fresh ? { ...base, ...(await c.fresh(base)) } : base;
  for (let i = 0; i < others.length; i += 5) lines.push(...(await Promise.all(others.slice(i, i + 5).map((p) => attempt(p, shared)))));
  // Those who may do it go one after another, each on records of their own when the write cannot be repeated.
  for (const p of allowed) lines.push(await attempt(p, c.fresh ? { ...base, ...(await c.fresh(base)) } : base));
  return lines.filter((l): l is string => l !== undefined);
}

async function runCases(keys: string[], actors: Person[], base: Subjects): Promise<string[]> {
  const lines: string[] = [];
  if (keys.some((k) => CASES[k].write)) {
    for (const key of keys) lines.push(...(await runCase(key, actors, base)));
  } else {
    // reads change nothing: a few cases at once
    for (let i = 0; i < keys.length; i += 3) lines.push(...(await Promise.all(keys.slice(i, i + 3).map((k) => runCase(k, actors, base)))).flat());
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Setup: people and records
// ---------------------------------------------------------------------------------------------

async function makePerson(name: ActorName | string, role: Role, departmentId: string): Promise<Person> {
  const username = `${name}.${randomBytes(2).toString('hex')}`.toLowerCase();
  const password = `password-of-${username}`;
  const created = await must(P.admin, 'POST', '/api/v1/users', { username, displayName: username, password, role, departmentId });
  return { name: name as ActorName, role, id: created.id as string, token: await tokenFor(t, username, password) };
}

function creditCode(): string {
  const first17 = `91110108${String(100_000_000 + sequence).slice(-9)}`;
  return first17 + creditCodeCheckChar(first17)!;
}

function newContact(): Json {
  sequence += 1;
  const marker = randomBytes(3).toString('hex');
  const contact = {
    name: `联系人${marker}`,
    position: '采购经理',
    mobile: `139${String(sequence).padStart(8, '0')}`,
    email: `buyer.${marker}@example.com`,
    wechatId: `wx_${marker}`,
  };
  secrets.push(contact.name, contact.mobile, contact.email, contact.wechatId);
  return contact;
}

/** A customer of salesEast1's in East with a full commercial record; with marketing consent when asked. */
async function makeCustomer(withConsent: boolean): Promise<{ customer: string; contact: string }> {
  sequence += 1;
  const marker = randomBytes(3).toString('hex');
  const body = {
    name: `角色测试客户${marker}有限公司`,
    kind: 'organization',
    source: 'exhibition',
    stage: 'prospect',
    industry: '信息传输、软件和信息技术服务业',
    importance: 3,
    needs: { purchaseIntent: `采购意向${marker}`, budgetRange: '100–200 万元' },
    notes: `内部备注${marker}`,
    annualRevenue: 12_345_678,
    creditCode: creditCode(),
    cooperationSince: '2021-03-01',
    potentialScore: 77,
    contacts: [newContact()],
  };
  secrets.push(body.name, body.needs.purchaseIntent, body.notes, body.creditCode);
  const created = await must(P.salesEast1, 'POST', '/api/v1/customers', body);
  if (withConsent) {
    await must(P.salesEast1, 'POST', `/api/v1/customers/${created.id}/consent`, { status: 'granted', channel: 'sms', evidence: '2026-11-20 电话确认' });
  }
  return { customer: created.id as string, contact: (created.contacts as Json[])[0].id as string };
}

async function addContact(customerId: string): Promise<string> {
  return (await must(P.salesEast1, 'POST', `/api/v1/customers/${customerId}/contacts`, { ...newContact(), isPrimary: false })).id as string;
}

function complaintBody(customerId: string): Json {
  const marker = randomBytes(3).toString('hex');
  const body = {
    customerId,
    channel: 'phone',
    category: 'delivery',
    severity: 'general',
    title: `投诉标题${marker}`,
    description: `投诉内容${marker}：第二批货物延迟三天到达`,
    customerMood: 'upset',
    receivedAt: new Date().toISOString(),
  };
  secrets.push(body.title, body.description);
  return body;
}

/** A complaint filed by service, assigned to salesEast1, and moved on to `state` by service. */
async function makeComplaint(customerId: string, state: 'assigned' | 'in_progress' | 'resolved' | 'verified'): Promise<string> {
  const id = (await must(P.serviceEast, 'POST', '/api/v1/complaints', complaintBody(customerId))).id as string;
  await must(P.serviceEast, 'POST', `/api/v1/complaints/${id}/assign`, { assigneeId: P.salesEast1.id });
  if (state === 'assigned') return id;
  await must(P.serviceEast, 'POST', `/api/v1/complaints/${id}/start`);
  if (state === 'in_progress') return id;
  await must(P.serviceEast, 'POST', `/api/v1/complaints/${id}/resolve`, { resolution: '已补偿运费' });
  if (state === 'resolved') return id;
  await must(P.serviceEast, 'POST', `/api/v1/complaints/${id}/verify`, { satisfaction: 4 });
  return id;
}

function requestBody(): Json {
  const marker = randomBytes(3).toString('hex');
  const body = { kind: 'need', channel: 'wecom', receivedAt: new Date().toISOString(), subject: `需求标题${marker}`, content: `需求内容${marker}：希望获得二期报价` };
  secrets.push(body.subject, body.content);
  return body;
}

/** A need recorded by service (dispatched to the owner, salesEast1) and moved on to `state` by service. */
async function makeRequest(customerId: string, state: 'new' | 'acknowledged' | 'answered'): Promise<string> {
  const id = (await must(P.serviceEast, 'POST', `/api/v1/customers/${customerId}/requests`, requestBody())).id as string;
  if (state === 'new') return id;
  await must(P.serviceEast, 'POST', `/api/v1/requests/${id}/acknowledge`, { channel: 'phone', text: '已收到' });
  if (state === 'acknowledged') return id;
  await must(P.serviceEast, 'POST', `/api/v1/requests/${id}/answer`, { answer: '已答复' });
  return id;
}

/** A deletion request by salesEast1 for a customer of their own: the East manager's step is pending. */
async function makeDeletionRequest(): Promise<string> {
  const { customer } = await makeCustomer(false);
  const reason = `删除理由${randomBytes(3).toString('hex')}`;
  secrets.push(reason);
  return (await must(P.salesEast1, 'POST', `/api/v1/customers/${customer}/deletion-requests`, { reason })).id as string;
}

/** A customer whose owner (a sales user of East) was deactivated: waiting for a successor. */
async function makeOrphan(): Promise<Partial<Subjects>> {
  const east = await t.department('East');
  const owner = await makePerson('salesEastGone', 'sales', east);
  const marker = randomBytes(3).toString('hex');
  const name = `离职客户${marker}有限公司`;
  secrets.push(name);
  const created = await must(owner, 'POST', '/api/v1/customers', { name, industry: '制造业', contacts: [newContact()] });
  await must(P.admin, 'POST', `/api/v1/users/${owner.id}/deactivate`);
  return { customer: created.id as string, formerOwner: owner.id };
}

function opportunityBody(): Json {
  const title = `机会${randomBytes(3).toString('hex')}`;
  secrets.push(title);
  return { title, source: 'referral', amount: 880000, expectedCloseDate: '2027-06-30', stage: 'qualified', strategy: '以服务取胜' };
}

function activityBody(customerId: string): Json {
  const title = `活动${randomBytes(3).toString('hex')}`;
  secrets.push(title);
  return { kind: 'marketing_event', title, startsAt: new Date(Date.now() + 10 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 10.1 * 86_400_000).toISOString(), customerIds: [customerId], plan: '新品介绍' };
}

/** A small PDF as a multipart form (a fresh one per call: a body is read once). */
function fileForm(): FormData {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')]), '资料.pdf');
  return form;
}

/** A file salesEast1 attaches to one of their opportunities or activities. */
async function attach(parent: 'opportunities' | 'activities', id: string): Promise<string> {
  return (await must(P.salesEast1, 'POST', `/api/v1/${parent}/${id}/attachments`, fileForm())).id as string;
}

async function makeSubjects(withConsent: boolean): Promise<Subjects> {
  const { customer, contact } = await makeCustomer(withConsent);
  const second = await makeCustomer(withConsent);
  const summary = `联系记录${randomBytes(3).toString('hex')}`;
  secrets.push(summary);
  const interaction = await must(P.salesEast1, 'POST', `/api/v1/customers/${customer}/interactions`, {
    occurredAt: new Date().toISOString(),
    channel: 'phone',
    summary,
    contactId: contact,
  });
  const complaint = await makeComplaint(customer, 'assigned');
  const request = await makeRequest(customer, 'acknowledged');
  const opportunity = (await must(P.salesEast1, 'POST', `/api/v1/customers/${customer}/opportunities`, opportunityBody())).id as string;
  const activity = (await must(P.salesEast1, 'POST', '/api/v1/activities', activityBody(customer))).id as string;
  return {
    opportunity,
    activity,
    opportunityAttachment: await attach('opportunities', opportunity),
    activityAttachment: await attach('activities', activity),
    consented: withConsent,
    customer,
    secondCustomer: second.customer,
    contact,
    interaction: interaction.id as string,
    complaint,
    request,
    approval: '',
    transfer: '',
    export: '',
    review: '',
  };
}

beforeAll(async () => {
  t = await startTestApp();
  const east = await t.department('East');
  const west = await t.department('West');
  const adminToken = await tokenFor(t, 'admin', ADMIN_PASSWORD);
  const me = (await (await fetch(`${t.baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { id: string };
  P = { admin: { name: 'admin', role: 'admin', id: me.id, token: adminToken } } as Record<ActorName, Person>;
  const plan: [ActorName, Role, string][] = [
    ['adminWest', 'admin', west],
    ['managerEast', 'manager', east],
    ['managerWest', 'manager', west],
    ['salesEast1', 'sales', east],
    ['salesEast2', 'sales', east],
    ['salesWest', 'sales', west],
    ['serviceEast', 'service', east],
    ['serviceWest', 'service', west],
    ['marketingEast', 'marketing', east],
    ['marketingWest', 'marketing', west],
    ['auditorEast', 'auditor', east],
    ['auditorWest', 'auditor', west],
  ];
  for (const [name, role, department] of plan) P[name] = await makePerson(name, role, department);

  const group = await must(P.admin, 'POST', '/api/v1/tag-groups', { name: '角色测试', exclusive: false });
  tagId = (await must(P.admin, 'POST', `/api/v1/tag-groups/${group.id}/tags`, { name: '重点跟进' })).id as string;
  const tiers = (await (await fetch(`${t.baseUrl}/api/v1/tiers`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { id: string; code: string }[];
  tierId = tiers.find((x) => x.code === 'core')!.id;

  plain = await makeSubjects(false);
  consented = await makeSubjects(true);
  plain.approval = await makeDeletionRequest();

  const transferred = await makeCustomer(false);
  const transferReason = `移交理由${randomBytes(3).toString('hex')}`;
  secrets.push(transferReason);
  plain.transfer = (await must(P.salesEast1, 'POST', '/api/v1/transfers', { toUserId: P.salesEast2.id, customerIds: [transferred.customer], reason: transferReason })).id as string;

  const exportReason = `导出理由${randomBytes(3).toString('hex')}`;
  secrets.push(exportReason);
  const requested = await must(P.salesEast1, 'POST', '/api/v1/exports', {
    filter: { departmentId: east },
    format: 'csv',
    reason: exportReason,
    ...ifContractHas('RequestExportDto', 'recipient', '物流合作方'),
  });
  // The East manager approves their own department's export; should the rules send it to an admin, an admin does.
  const byManager = await call(P.managerEast, 'POST', `/api/v1/approvals/${requested.approvalId}/approve`, { comment: '同意导出' });
  if (byManager.status !== 200) await must(P.admin, 'POST', `/api/v1/approvals/${requested.approvalId}/approve`, { comment: '同意导出' });
  plain.export = requested.id as string;
  plain.review = (await must(P.managerEast, 'POST', '/api/v1/reviews', { scope: 'all', dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() })).id as string;
}, 120_000);
afterAll(() => t.close());

const everyone = () => ACTOR_NAMES.map((n) => P[n]);
const keysOf = (write: boolean, kinds: Kind[]) =>
  Object.keys(CASES)
    .filter((k) => CASES[k].write === write && kinds.includes(CASES[k].subject))
    .sort();

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('the route list comes from the contract', () => {
  it('has a case for every operation that names a customer, contact, interaction, complaint, approval, transfer or export', () => {
    const missing = operationsNamingRecords().filter((key) => !(key in CASES));
    expect(missing).toEqual([]);
  });

  it('has no case for an operation the contract does not have', () => {
    const operations = new Set(contractOperations());
    expect(Object.keys(CASES).filter((key) => !operations.has(key))).toEqual([]);
  });

  it('finds what it should (the discovery itself can fail)', () => {
    const found = operationsNamingRecords();
    expect(found).toEqual(expect.arrayContaining(['GET /api/v1/customers/{id}', 'POST /api/v1/customers/tags/bulk', 'POST /api/v1/transfers', 'GET /api/v1/exports/{id}/download']));
    expect(found).not.toContain('GET /api/v1/customers');
    expect(found).not.toContain('POST /api/v1/exports');
  });
});

// Reads first: they change nothing, and the writes below would.
describe('every actor on every route: reads', () => {
  const groups: [string, Kind[]][] = [
    ['a customer and what hangs off it', ['customer', 'contact', 'interaction', 'complaint', 'request']],
    ['an opportunity or an activity', ['opportunity', 'activity']],
    ['an approval, a transfer, an export, a review round', ['approval', 'transfer', 'export', 'review']],
  ];
  it.each(groups)('reading %s: 404 unless visible, 403 without data unless allowed', async (_, kinds) => {
    expect(await runCases(keysOf(false, kinds), everyone(), plain)).toEqual([]);
  });
});

describe('what a visible reader receives', () => {
  const COMMERCIAL = ['needs', 'notes', 'annualRevenue', 'creditCode', 'cooperationSince', 'potentialScore'];
  const maskedMobile = /^\d{3}\*{4}\d{4}$/;

  it('gives service no commercial record, by id and in lists', async () => {
    const problems: string[] = [];
    for (const p of [P.serviceEast, P.serviceWest]) {
      const one = await call(p, 'GET', `/api/v1/customers/${plain.customer}`);
      if (one.status !== 200) problems.push(`${p.name} GET customer: ${one.status}`);
      for (const field of COMMERCIAL) if (one.json && field in one.json) problems.push(`${p.name} GET /customers/{id} carries ${field}`);
      const list = await call(p, 'GET', `/api/v1/customers?limit=100`);
      const item = ((list.json?.items ?? []) as Json[]).find((c) => c.id === plain.customer);
      if (!item) problems.push(`${p.name} GET /customers does not list the customer`);
      for (const field of COMMERCIAL) if (item && field in item) problems.push(`${p.name} GET /customers carries ${field}`);
    }
    expect(problems).toEqual([]);
  });

  it('masks contacts for service, auditors and (consented customers only) marketing', async () => {
    const problems: string[] = [];
    const readers: [Person, Subjects][] = [
      [P.serviceEast, plain],
      [P.serviceWest, plain],
      [P.auditorEast, plain],
      [P.auditorWest, plain],
      [P.marketingEast, consented],
      [P.marketingWest, consented],
    ];
    for (const [p, s] of readers) {
      const one = await call(p, 'GET', `/api/v1/customers/${s.customer}`);
      const contacts = await call(p, 'GET', `/api/v1/customers/${s.customer}/contacts`);
      if (one.status !== 200 || contacts.status !== 200) {
        problems.push(`${p.name}: GET customer ${one.status}, GET contacts ${contacts.status}`);
        continue;
      }
      if (one.json!.piiMasked !== true) problems.push(`${p.name}: piiMasked is ${String(one.json!.piiMasked)}`);
      const seen = [...((one.json!.contacts ?? []) as Json[]), ...(contacts.json as unknown as Json[])];
      for (const contact of seen) {
        if (contact.mobile !== null && !maskedMobile.test(String(contact.mobile))) problems.push(`${p.name}: mobile ${String(contact.mobile)} is not masked`);
      }
      const unmasked = secrets.filter((x) => /@|^1\d{10}$|^wx_/.test(x)).find((x) => one.text.includes(x) || contacts.text.includes(x));
      if (unmasked) problems.push(`${p.name}: personal data "${unmasked}" unmasked`);
    }
    expect(problems).toEqual([]);
  });

  it('shows marketing a consented customer and lists it, and hides the other', async () => {
    for (const p of [P.marketingEast, P.marketingWest]) {
      const list = await call(p, 'GET', `/api/v1/customers?limit=100`);
      const ids = ((list.json?.items ?? []) as Json[]).map((c) => c.id);
      expect(ids).toContain(consented.customer);
      expect(ids).not.toContain(plain.customer);
    }
  });
});

describe('every actor on every route: writes', () => {
  const groups: [string, Kind[]][] = [
    ['a customer', ['customer']],
    ['a contact or an interaction', ['contact', 'interaction']],
    ['a complaint', ['complaint']],
    ['a customer request', ['request']],
    ['an approval', ['approval']],
    ['an opportunity or an activity', ['opportunity', 'activity']],
  ];
  it.each(groups)('writing to %s: 404 unless visible, 403 without data unless allowed, done when allowed', async (_, kinds) => {
    expect(await runCases(keysOf(true, kinds), everyone(), plain)).toEqual([]);
  }, 60_000);
});

describe('marketing and a customer who granted consent', () => {
  it('sees it on every route it may use, and is refused without data where its role may not act', async () => {
    const keys = Object.keys(CASES)
      .filter((k) => ['customer', 'contact', 'interaction', 'complaint', 'request'].includes(CASES[k].subject) && !CASES[k].visibleTo)
      .sort((a, b) => Number(CASES[a].write) - Number(CASES[b].write) || a.localeCompare(b));
    const lines: string[] = [];
    for (const key of keys) lines.push(...(await runCase(key, [P.marketingEast, P.marketingWest], consented)));
    expect(lines).toEqual([]);
  }, 60_000);
});

describe('read-only roles', () => {
  it('never got a 2xx on a write (auditor; marketing but for tags; service but for interactions and complaints)', () => {
    const writes = outcomes.filter((o) => o.write);
    expect(writes.length).toBeGreaterThan(0);
    const wrong = writes
      .filter((o) => o.status >= 200 && o.status < 300 && readOnlyFor(P[o.actor], o.key))
      .map((o) => `${o.actor} ${o.key} got ${o.status}`);
    expect(wrong).toEqual([]);
  });
});
