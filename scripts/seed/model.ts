/**
 * What the scale seed writes, as pure functions of the seed and an item number: a customer, its
 * contacts, interactions and tags, a complaint. The bulk phases and the audit phase both call them,
 * so the audit log describes exactly the rows that were written.
 */
import { creditCodeCheckChar, normalizeCustomerName } from '../../src/modules/customers/customer.rules';
import { pick, Rng, rngFor, uuidFor, weighted } from './random';
import * as V from './vocabulary';

export const DAY_MS = 86_400_000;
export const SPAN_YEARS = 5;

/** Streams of the deterministic generator: one per kind of item. */
export const STREAM = {
  customer: 1,
  customerId: 2,
  contacts: 3,
  contactId: 4,
  tags: 5,
  complaint: 6,
  complaintId: 7,
  auditDay: 8,
  requestId: 9,
} as const;

export const TIER_CODES = ['strategic', 'core', 'ordinary', 'dormant'] as const;
export type TierCode = (typeof TIER_CODES)[number];

export interface SeedDepartment {
  id: string;
  name: string;
  managerId: string;
  salesIds: string[];
}

export interface SeedUser {
  id: string;
  username: string;
  role: 'admin' | 'manager' | 'sales' | 'service' | 'marketing' | 'auditor';
}

/** Everything the generators need besides the item number. */
export interface SeedWorld {
  seed: number;
  /** Customers written by this run. */
  customers: number;
  /** Customers already present (seeded before with --force): names, credit codes and mobiles continue after them. */
  offset: number;
  startMs: number;
  endMs: number;
  departments: SeedDepartment[];
  users: SeedUser[];
  serviceIds: string[];
  tiers: Record<TierCode, { id: string; cadenceDays: number }>;
  /** Group-major: tag t of group g is tagIds[g * TAGS_PER_GROUP + t]. */
  tagIds: string[];
}

export const TAG_GROUPS = 50;
export const TAGS_PER_GROUP = 40;
/** The first groups are exclusive (one tag of the group per customer); the seed never puts two tags of a group on a customer anyway. */
export const EXCLUSIVE_TAG_GROUPS = 10;

export interface Customer {
  n: number;
  id: string;
  name: string;
  nameNormalized: string;
  shortName: string | null;
  kind: 'organization' | 'individual';
  industry: string | null;
  scale: string | null;
  source: string;
  stage: 'potential' | 'prospect' | 'customer' | 'strategic';
  importance: number;
  needs: Record<string, unknown>;
  notes: string | null;
  creditCode: string | null;
  ownerId: string;
  ownerRole: 'sales' | 'manager';
  departmentIndex: number;
  departmentId: string;
  status: 'active' | 'dormant' | 'archived';
  archivedAt: number | null;
  lastInteractionAt: number | null;
  firstInteractionAt: number | null;
  interactionCount: number;
  nextActionDueAt: number | null;
  nextFollowUpAt: number | null;
  marketingConsent: 'unknown' | 'granted' | 'withdrawn';
  version: number;
  createdAt: number;
  updatedAt: number;
  tier: TierCode;
  /** The tier a new customer starts in (what the create record says). */
  initialTier: TierCode;
  annualRevenue: string | null;
  cooperationSince: string | null;
  potentialScore: number | null;
}

export interface Contact {
  /** Global contact number: two slots per customer, the second one often unused. */
  m: number;
  id: string;
  name: string;
  position: string | null;
  mobile: string | null;
  email: string | null;
  wechatId: string | null;
  isPrimary: boolean;
  status: 'active' | 'left';
  leftAt: number | null;
}

const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
// 40 cities × 3,600 brands × 30 industry words × 6 suffixes: a bijection of the item number onto it
// (multiplication by a number coprime with the size) keeps every normalized name unique.
const NAME_SPACE = V.CITIES.length * V.BRAND_CHARS.length ** 2 * V.INDUSTRIES.length * V.COMPANY_SUFFIXES.length;
const NAME_STRIDE = 15_485_863; // prime, shares no factor with NAME_SPACE (2, 3, 5 only)

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The name of the company (or sole trader) in name slot `index`: unique per slot, for both kinds. */
function companyName(index: number, kind: 'organization' | 'individual'): { name: string; shortName: string; brand: string; industry: string; city: string } {
  let k = (index * NAME_STRIDE) % NAME_SPACE;
  const suffixes = kind === 'organization' ? V.COMPANY_SUFFIXES : V.SOLE_TRADER_SUFFIXES;
  const suffix = suffixes[k % suffixes.length];
  k = Math.floor(k / V.COMPANY_SUFFIXES.length);
  const [word, industry] = V.INDUSTRIES[k % V.INDUSTRIES.length];
  k = Math.floor(k / V.INDUSTRIES.length);
  const brand = V.BRAND_CHARS[k % 60] + V.BRAND_CHARS[Math.floor(k / 60) % 60];
  k = Math.floor(k / 3600);
  const city = V.CITIES[k % V.CITIES.length];
  return { name: `${city}${brand}${word}${suffix}`, shortName: `${brand}${word}`, brand, industry, city };
}

export const personName = (r: Rng) => pick(r, V.SURNAMES) + pick(r, V.GIVEN_NAMES);

function creditCode(index: number, city: number): string {
  let body = `91${String(110000 + city * 1300).padStart(6, '0')}`;
  let k = index;
  let code = '';
  for (let i = 0; i < 9; i++) {
    code = CREDIT_ALPHABET[k % 31] + code;
    k = Math.floor(k / 31);
  }
  body += code;
  return body + creditCodeCheckChar(body)!;
}

/** The tier the criteria of the default tiers give (000 §4.2), as tier evaluation would. */
function tierByCriteria(revenue: number | null, cooperationSince: string | null, score: number | null, endMs: number): TierCode {
  const years = cooperationSince === null ? 0 : (endMs - Date.parse(cooperationSince)) / (365.25 * DAY_MS);
  const meets = (minRevenue: number, minYears: number, minScore: number) =>
    revenue !== null && revenue >= minRevenue && cooperationSince !== null && years >= minYears + 0.01 && score !== null && score >= minScore;
  if (meets(10_000_000, 3, 80)) return 'strategic';
  if (meets(1_000_000, 1, 50)) return 'core';
  return 'ordinary';
}

export function customerId(world: SeedWorld, n: number): string {
  return uuidFor(world.seed, STREAM.customerId, n);
}

/** When customer n was created: times grow with n, so the audit phase can walk them in order. */
export function createdAtOf(world: SeedWorld, n: number, r: Rng = rngFor(world.seed, STREAM.customer, n)): number {
  return Math.floor(world.startMs + ((n + r()) / world.customers) * (world.endMs - world.startMs));
}

/** Customer n; `normalizedName` false skips the (costly) duplicate-key normalization where it is not needed. */
export function customerAt(world: SeedWorld, n: number, normalizedName = true): Customer {
  const r = rngFor(world.seed, STREAM.customer, n);
  const { endMs } = world;
  const createdAt = createdAtOf(world, n, r);
  const age = endMs - createdAt;

  const departmentIndex = Math.floor(r() * world.departments.length);
  const department = world.departments[departmentIndex];
  const byManager = r() < 0.04;
  const ownerId = byManager ? department.managerId : pick(r, department.salesIds);

  const kind = r() < 0.85 ? 'organization' : 'individual';
  const company = companyName(world.offset + n, kind);
  const person = personName(r);
  // Sole traders go by the owner's name and their trade name, which alone keeps them unique.
  const name = kind === 'organization' ? company.name : `${person}·${company.name}`;
  const shortName = kind === 'organization' ? company.shortName : r() < 0.5 ? person : null;

  const stage = weighted(r, [
    ['potential', 40],
    ['prospect', 30],
    ['customer', 25],
    ['strategic', 5],
  ] as const);
  const source = weighted(r, [
    ['exhibition', 15],
    ['cold_visit', 15],
    ['referral', 20],
    ['inbound', 15],
    ['website', 15],
    ['wecom', 15],
    ['other', 5],
  ] as const);
  const importance = stage === 'strategic' ? 4 + Math.floor(r() * 2) : 1 + Math.floor(r() * 5);
  const needs =
    r() < 0.6
      ? { purchaseIntent: pick(r, V.PURCHASE_INTENTS), productPreferences: [...new Set([pick(r, V.PRODUCT_PREFERENCES), pick(r, V.PRODUCT_PREFERENCES)])], budgetRange: pick(r, V.BUDGET_RANGES) }
      : {};
  const notes = r() < 0.25 ? `${pick(r, V.CITIES)}${pick(r, ['展会结识', '老客户介绍', '官网留资', '电话陌拜'])}，${pick(r, V.INTERACTION_SUMMARIES)}` : null;
  const creditCodeValue = kind === 'organization' && r() < 0.6 ? creditCode(world.offset + n, V.CITIES.indexOf(company.city)) : null;

  const revenueRoll = r();
  const annualRevenueNumber = kind === 'organization' && revenueRoll < 0.75 ? Math.round(10 ** (4 + r() * 4.7) * 100) / 100 : null;
  const cooperationSince = stage === 'customer' || stage === 'strategic' ? isoDate(createdAt + (endMs - createdAt) * r() * 0.5) : null;
  const potentialScore = r() < 0.8 ? Math.floor(r() * 101) : null;

  // Dormant and archived customers had their last sign of life over a year ago; the active ones
  // were contacted within the last 330 days (or are new), so the dormancy sweep finds nothing to do.
  const statusRoll = r();
  const status: Customer['status'] = age > 400 * DAY_MS && statusRoll < 0.07 ? 'dormant' : age > 400 * DAY_MS && statusRoll < 0.1 ? 'archived' : 'active';
  let interactionCount: number;
  let lastInteractionAt: number | null = null;
  let archivedAt: number | null = null;
  if (status === 'active') {
    interactionCount = age > 330 * DAY_MS ? 1 + Math.floor(r() * 5) : Math.floor(r() * 7);
    if (interactionCount > 0) {
      const daysAgo = Math.min(330, -Math.log(1 - r()) * 25);
      lastInteractionAt = Math.floor(endMs - daysAgo * DAY_MS);
      if (lastInteractionAt <= createdAt) lastInteractionAt = Math.floor(createdAt + (endMs - createdAt) * r());
    }
  } else {
    interactionCount = 1 + Math.floor(r() * 4);
    lastInteractionAt = Math.floor(createdAt + (endMs - 400 * DAY_MS - createdAt) * r());
    archivedAt = lastInteractionAt + 366 * DAY_MS + Math.floor(r() * 30 * DAY_MS);
  }
  const firstInteractionAt = lastInteractionAt === null ? null : Math.floor(createdAt + (lastInteractionAt - createdAt) * 0.2 * r());

  let nextActionDueAt: number | null = null;
  const planRoll = r();
  if (status === 'active' && lastInteractionAt !== null) {
    if (planRoll < 0.3) nextActionDueAt = Math.floor(endMs + (1 + r() * 59) * DAY_MS);
    else if (planRoll < 0.45) nextActionDueAt = lastInteractionAt + 7 * DAY_MS;
  }

  const criteriaTier = tierByCriteria(annualRevenueNumber, cooperationSince, potentialScore, endMs);
  // Some customers grew into a better tier since the last evaluation: the next one has work to do.
  const tier: TierCode = status !== 'active' ? 'dormant' : r() < 0.05 ? 'ordinary' : criteriaTier;
  const cadence = world.tiers[tier].cadenceDays;
  const followUpFromCadence = (lastInteractionAt ?? createdAt) + cadence * DAY_MS;
  const nextFollowUpAt = nextActionDueAt === null ? followUpFromCadence : Math.min(followUpFromCadence, nextActionDueAt);

  const version = 1 + Math.floor(r() * 4);
  const updatedAt = version === 1 ? createdAt : Math.floor(createdAt + (endMs - createdAt) * r() ** 0.5);
  const marketingConsent = weighted(r, [
    ['unknown', 60],
    ['granted', 35],
    ['withdrawn', 5],
  ] as const);

  return {
    n,
    id: customerId(world, n),
    name,
    nameNormalized: normalizedName ? normalizeCustomerName(name) : '',
    shortName,
    kind,
    // Required on creation (seed 004 §2.1): sole traders have one too.
    industry: company.industry,
    scale: kind === 'organization' ? pick(r, V.SCALES) : null,
    source,
    stage,
    importance,
    needs,
    notes,
    creditCode: creditCodeValue,
    ownerId,
    ownerRole: byManager ? 'manager' : 'sales',
    departmentIndex,
    departmentId: department.id,
    status,
    archivedAt,
    lastInteractionAt,
    firstInteractionAt,
    interactionCount,
    nextActionDueAt,
    nextFollowUpAt,
    marketingConsent,
    version,
    createdAt,
    updatedAt: Math.max(updatedAt, archivedAt ?? 0),
    tier,
    initialTier: 'ordinary',
    annualRevenue: annualRevenueNumber === null ? null : annualRevenueNumber.toFixed(2),
    cooperationSince,
    potentialScore,
  };
}

/** How many contacts customer n has (1 or 2): cheap, for counting before the audit phase. */
export function contactCount(world: SeedWorld, n: number): number {
  return rngFor(world.seed, STREAM.contacts, n)() < 0.5 ? 2 : 1;
}

// 13000000000 + (m × 1000003 mod 7·10^9) is a bijection onto the mainland mobile range 13x–19x.
const mobileOf = (m: number) => `+86${13_000_000_000 + ((m * 1_000_003) % 7_000_000_000)}`;

export function contactsAt(world: SeedWorld, customer: Customer): Contact[] {
  const r = rngFor(world.seed, STREAM.contacts, customer.n);
  const count = r() < 0.5 ? 2 : 1;
  const contacts: Contact[] = [];
  for (let j = 0; j < count; j++) {
    const m = 2 * (world.offset + customer.n) + j;
    const primary = j === 0;
    const left = !primary && r() < 0.06;
    const hasMobile = primary || r() < 0.8;
    const hasEmail = r() < (primary ? 0.7 : 0.5);
    const hasWechat = r() < (primary ? 0.4 : 0.25);
    contacts.push({
      m,
      id: uuidFor(world.seed, STREAM.contactId, m),
      name: personName(r),
      position: r() < 0.85 ? pick(r, V.POSITIONS) : null,
      mobile: hasMobile ? mobileOf(m) : null,
      email: hasEmail ? `${pick(r, V.ROMANIZED)}.${m.toString(36)}@${pick(r, V.EMAIL_DOMAINS)}` : null,
      wechatId: hasWechat ? `wx_${m.toString(36).padStart(6, '0')}` : null,
      isPrimary: primary,
      status: left ? 'left' : 'active',
      leftAt: left ? Math.floor(customer.createdAt + (world.endMs - customer.createdAt) * r()) : null,
    });
  }
  return contacts;
}

/** The tags on customer n: 1 to 5 (3 on average), from different groups, some tags far more common than others. */
export function tagsAt(world: SeedWorld, n: number): number[] {
  const r = rngFor(world.seed, STREAM.tags, n);
  const count = 1 + Math.floor(r() * 5);
  const base = Math.floor(r() * TAG_GROUPS);
  const tags: number[] = [];
  for (let j = 0; j < count; j++) {
    const group = (base + 13 * j) % TAG_GROUPS;
    tags.push(group * TAGS_PER_GROUP + Math.floor(TAGS_PER_GROUP * r() ** 2));
  }
  return tags;
}

export interface Complaint {
  id: string;
  customer: Customer;
  channel: string;
  category: string;
  severity: 'general' | 'serious' | 'major';
  title: string;
  description: string;
  customerDemand: string | null;
  customerMood: string;
  receivedAt: number;
  dueAt: number;
  status: 'received' | 'assigned' | 'in_progress' | 'resolved' | 'verified' | 'closed';
  assigneeId: string | null;
  escalatedAt: number | null;
  escalatedToId: string | null;
  breached: boolean;
  resolvedAt: number | null;
  resolution: string | null;
  resolutionWorkingMinutes: number | null;
  followUpDueAt: number | null;
  followUpOverdue: boolean;
  verifiedAt: number | null;
  satisfaction: number | null;
  closedAt: number | null;
  createdBy: string;
  updatedAt: number;
}

const OPEN = ['received', 'assigned', 'in_progress'] as const;

/**
 * Complaint q. Deadlines are approximated in calendar days (1, 2, 3 by severity) rather than
 * counted in working days; open complaints past their deadline are already marked breached and
 * escalated, as the escalation sweep would have left them.
 */
export function complaintAt(world: SeedWorld, q: number): Complaint {
  const r = rngFor(world.seed, STREAM.complaint, q);
  const customer = customerAt(world, Math.floor(r() * world.customers), false);
  const { endMs } = world;
  const severity = weighted(r, [
    ['general', 75],
    ['serious', 20],
    ['major', 5],
  ] as const);
  const category = pick(r, Object.keys(V.COMPLAINT_TITLES));
  const open = r() < 0.1;
  const status: Complaint['status'] = open
    ? pick(r, OPEN)
    : weighted(r, [
        ['resolved', 5],
        ['verified', 5],
        ['closed', 90],
      ] as const);
  const earliest = Math.max(customer.createdAt, open ? endMs - 30 * DAY_MS : customer.createdAt);
  const receivedAt = Math.floor(earliest + (endMs - earliest) * r());
  const dueAt = receivedAt + (severity === 'general' ? 1 : severity === 'serious' ? 2 : 3) * DAY_MS;
  const department = world.departments[customer.departmentIndex];
  const assigneeId = status === 'received' ? null : pick(r, world.serviceIds);
  const overdueOpen = open && dueAt < endMs;
  const resolvedAt = open ? null : Math.floor(receivedAt + (dueAt - receivedAt) * (0.2 + r() * 1.1));
  const followUpDueAt = resolvedAt === null ? null : resolvedAt + 48 * 3_600_000;
  const verifiedAt = status === 'verified' || status === 'closed' ? Math.floor(resolvedAt! + 40 * 3_600_000 * r()) : null;
  const closedAt = status === 'closed' ? verifiedAt! + 3_600_000 : null;
  const escalated = overdueOpen || severity === 'major' || (resolvedAt !== null && resolvedAt > dueAt);
  const escalatedAt = escalated ? (severity === 'major' ? receivedAt : Math.min(dueAt, endMs)) : null;
  return {
    id: uuidFor(world.seed, STREAM.complaintId, q),
    customer,
    channel: pick(r, ['phone', 'email', 'wecom', 'visit', 'online', 'other']),
    category,
    severity,
    title: pick(r, V.COMPLAINT_TITLES[category]),
    description: `客户反映：${pick(r, V.COMPLAINT_TITLES[category])}，要求尽快处理。`,
    customerDemand: r() < 0.6 ? pick(r, ['退换货', '赔偿损失', '尽快上门维修', '书面道歉', '调整价格']) : null,
    customerMood: pick(r, ['calm', 'upset', 'angry']),
    receivedAt,
    dueAt,
    status,
    assigneeId,
    escalatedAt,
    escalatedToId: escalated ? department.managerId : null,
    breached: overdueOpen || (resolvedAt !== null && resolvedAt > dueAt),
    resolvedAt,
    resolution: resolvedAt === null ? null : pick(r, ['已更换设备', '已退款', '已上门维修', '已解释并获客户认可', '已补发货物']),
    resolutionWorkingMinutes: resolvedAt === null ? null : Math.round((resolvedAt - receivedAt) / 60_000 / 3),
    followUpDueAt,
    followUpOverdue: status === 'resolved' && followUpDueAt! < endMs,
    verifiedAt,
    satisfaction: verifiedAt === null ? null : 1 + Math.floor(r() ** 0.5 * 5),
    closedAt,
    createdBy: pick(r, world.serviceIds),
    updatedAt: closedAt ?? verifiedAt ?? resolvedAt ?? escalatedAt ?? receivedAt,
  };
}
