/**
 * The audit log of the seeded history: every seeded department, user, customer and contact has its
 * create record, and customer updates, unmasked reads by managers and logins fill the log up to
 * the requested size. Entries are generated day by day in time order, chained exactly as
 * AuditRepository.append chains them (same chainHash, ids gapless after the chain head,
 * occurred_at never decreasing), and written a batch per statement, each batch moving the chain
 * head under its row lock.
 */
import { randomUUID } from 'node:crypto';
import type { ClientBase as Client } from 'pg';
import { PiiCipher } from '../../src/common/crypto/pii-cipher';
import { maskEmail, maskWechatId } from '../../src/modules/customers/customer.rules';
import { ChainedEntry, chainHash } from '../../src/modules/audit/audit.rules';
import { profiled, yieldToLoop, type Reference } from './bulk';
import { Contact, contactCount, contactsAt, createdAtOf, Customer, customerAt, DAY_MS, iso, SeedUser, SeedWorld, STREAM } from './model';
import { pick, Rng, rngFor, weighted } from './random';
import { SCALES, USER_AGENTS } from './vocabulary';

type Json = Record<string, unknown>;
type Event = { at: number; entry: Omit<ChainedEntry, 'id' | 'occurredAt'> };

const SYSTEM = { actorId: null, actorRole: 'system' };

const INSERT_BATCH = `
  WITH head AS (SELECT last_id FROM audit_chain_head WHERE id = 1 FOR UPDATE),
  appended AS (
    INSERT INTO audit_log (id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after, changed_fields,
                           reason, request_id, ip, user_agent, prev_hash, hash)
    SELECT r.id, r.occurred_at, r.actor_id, r.actor_role, r.action, r.entity_type, r.entity_id, r.before, r.after, r.changed_fields::text[],
           r.reason, r.request_id, r.ip, r.user_agent, r.prev_hash, r.hash
      FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::jsonb[],
                  $9::jsonb[], $10::text[], $11::text[], $12::varchar[], $13::varchar[], $14::varchar[], $15::text[], $16::text[])
             AS r(id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after, changed_fields, reason,
                  request_id, ip, user_agent, prev_hash, hash)
     WHERE (SELECT last_id FROM head) = $17::bigint
    RETURNING 1)
  UPDATE audit_chain_head SET last_id = $18::bigint, last_hash = $19, last_occurred_at = $20::timestamptz
   WHERE id = 1 AND last_id = $17::bigint AND (SELECT count(*) FROM appended) = $21::int`;

/** What the service's snapshots (customerSnapshot, contactSnapshot, UserDto) hold, at creation. */
function customerCreated(world: SeedWorld, c: Customer): Json {
  return {
    id: c.id,
    name: c.name,
    shortName: c.shortName,
    kind: c.kind,
    industry: c.industry,
    scale: c.scale,
    source: c.source,
    stage: c.stage,
    importance: c.importance,
    status: 'active',
    ownerId: c.ownerId,
    departmentId: c.departmentId,
    marketingConsent: 'unknown',
    tierId: world.tiers[c.initialTier].id,
    annualRevenue: c.annualRevenue === null ? null : Number(c.annualRevenue),
    cooperationSince: c.cooperationSince,
    potentialScore: c.potentialScore,
    version: 1,
    updatedAt: iso(c.createdAt),
    needs: c.needs,
    notes: c.notes,
    creditCode: c.creditCode,
    archivedAt: null,
  };
}

/** maskMobile's result for the seeded numbers (all +86 mainland mobiles), without parsing each one. */
const maskSeededMobile = (e164: string) => `${e164.slice(3, 6)}****${e164.slice(-4)}`;

function contactCreated(cipher: PiiCipher, customerId: string, k: Contact): Json {
  const fingerprint = (value: string | null) => (value === null ? null : cipher.lookupHash(value).toString('hex').slice(0, 12));
  return {
    id: k.id,
    customerId,
    name: k.name,
    position: k.position,
    mobile: k.mobile === null ? null : maskSeededMobile(k.mobile),
    mobileFingerprint: fingerprint(k.mobile),
    email: k.email === null ? null : maskEmail(k.email),
    emailFingerprint: fingerprint(k.email),
    wechatId: k.wechatId === null ? null : maskWechatId(k.wechatId),
    wechatFingerprint: fingerprint(k.wechatId),
    isPrimary: k.isPrimary,
    status: 'active',
    leftAt: null,
    version: 1,
  };
}

const created = (after: Json) => ({ before: null, after, changedFields: Object.keys(after).sort() });

function requestOf(r: Rng): Pick<ChainedEntry, 'requestId' | 'ip' | 'userAgent'> {
  return {
    requestId: randomUUID(),
    ip: `10.${Math.floor(r() * 32)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`,
    userAgent: pick(r, USER_AGENTS),
  };
}

const STAGES = ['potential', 'prospect', 'customer', 'strategic'];
const UPDATABLE = ['stage', 'importance', 'scale', 'notes'] as const;

/** A change of one field of customer c, by its owner (or the department manager). */
function customerUpdated(world: SeedWorld, r: Rng, c: Customer, at: number): Event['entry'] {
  const field = pick(r, UPDATABLE);
  const version = 1 + Math.floor(r() * 3);
  const value = (c as unknown as Json)[field] ?? null;
  const previous =
    field === 'stage'
      ? pick(r, STAGES.filter((s) => s !== c.stage))
      : field === 'importance'
        ? 1 + ((c.importance + Math.floor(r() * 4)) % 5)
        : field === 'scale'
          ? pick(r, SCALES.filter((s) => s !== c.scale))
          : '待补充';
  const byManager = r() < 0.2;
  const department = world.departments[c.departmentIndex];
  return {
    actorId: byManager ? department.managerId : c.ownerId,
    actorRole: byManager ? 'manager' : c.ownerRole,
    action: 'customer.update',
    entityType: 'customer',
    entityId: c.id,
    before: { [field]: previous, updatedAt: iso(at - Math.floor(r() * 30 * DAY_MS)), version },
    after: { [field]: value, updatedAt: iso(at), version: version + 1 },
    changedFields: [field, 'updatedAt', 'version'].sort(),
    reason: c.stage === 'strategic' || c.importance === 5 ? '客户情况变化，经负责人确认' : null,
    ...requestOf(r),
  };
}

/** The events of one day, in time order. */
function dayEvents(
  world: SeedWorld,
  reference: Reference,
  cipher: PiiCipher,
  day: number,
  extras: number,
  firstCustomer: number,
  lastCustomer: number,
): Event[] {
  const r = rngFor(world.seed, STREAM.auditDay, day);
  const dayStart = world.startMs + day * DAY_MS;
  const dayEnd = Math.min(dayStart + DAY_MS, world.endMs);
  const events: Event[] = [];
  for (let n = firstCustomer; n < lastCustomer; n++) {
    const c = customerAt(world, n, false);
    const request = requestOf(r);
    const actor = { actorId: c.ownerId, actorRole: c.ownerRole };
    events.push({ at: c.createdAt, entry: { ...actor, action: 'customer.create', entityType: 'customer', entityId: c.id, ...created(customerCreated(world, c)), reason: null, ...request } });
    for (const k of contactsAt(world, c)) {
      events.push({ at: c.createdAt, entry: { ...actor, action: 'contact.create', entityType: 'contact', entityId: k.id, ...created(contactCreated(cipher, c.id, k)), reason: null, ...request } });
    }
  }
  for (let i = 0; i < extras; i++) {
    const at = Math.floor(dayStart + (dayEnd - dayStart) * r());
    const kind = firstCustomer === 0 ? 'login' : weighted(r, [['update', 50], ['read', 30], ['login', 20]] as const);
    if (kind === 'login') {
      const user: SeedUser = pick(r, reference.users);
      events.push({
        at,
        entry: { actorId: user.id, actorRole: user.role, action: 'auth.login', entityType: 'user', entityId: user.id, ...created({ username: user.username }), reason: null, ...requestOf(r) },
      });
      continue;
    }
    const c = customerAt(world, Math.floor(r() * firstCustomer), false);
    if (kind === 'update') {
      events.push({ at, entry: customerUpdated(world, r, c, at) });
    } else {
      const manager = world.departments[c.departmentIndex].managerId;
      events.push({
        at,
        entry: {
          actorId: manager,
          actorRole: 'manager',
          action: 'pii.read',
          entityType: 'customer',
          entityId: c.id,
          ...created({ contactIds: contactsAt(world, c).map((k) => k.id), fields: ['mobile', 'email', 'wechatId'] }),
          reason: null,
          ...requestOf(r),
        },
      });
    }
  }
  // Stable: a customer's create record stays before its contacts'.
  return events.sort((a, b) => a.at - b.at);
}

/** Departments and users made by this run, recorded as an import by the system. */
function referenceEvents(world: SeedWorld, reference: Reference): Event[] {
  const at = world.startMs - 2 * DAY_MS;
  const createdAt = iso(at);
  const request = { requestId: randomUUID(), ip: null, userAgent: 'seed-scale' };
  return [
    ...reference.createdDepartments.map((d) => ({
      at,
      entry: { ...SYSTEM, action: 'department.create', entityType: 'department', entityId: d.id, ...created({ id: d.id, name: d.name }), reason: 'bulk import', ...request },
    })),
    ...reference.createdUsers.map((u) => ({
      at,
      entry: {
        ...SYSTEM,
        action: 'user.create',
        entityType: 'user',
        entityId: u.id,
        ...created({
          id: u.id,
          username: u.username,
          displayName: u.displayName,
          role: u.role,
          departmentId: u.departmentId,
          active: true,
          deactivatedAt: null,
          lastLoginAt: null,
          version: 1,
          createdAt,
          updatedAt: createdAt,
        }),
        reason: 'bulk import',
        ...request,
      },
    })),
  ];
}

interface Row extends ChainedEntry {
  prevHash: string;
  hash: string;
}

class Batch {
  readonly rows: Row[] = [];
  columns(): unknown[][] {
    const rows = this.rows;
    const json = (value: Json | null) => (value === null ? null : JSON.stringify(value));
    return [
      rows.map((e) => e.id),
      rows.map((e) => e.occurredAt),
      rows.map((e) => e.actorId),
      rows.map((e) => e.actorRole),
      rows.map((e) => e.action),
      rows.map((e) => e.entityType),
      rows.map((e) => e.entityId),
      rows.map((e) => json(e.before)),
      rows.map((e) => json(e.after)),
      rows.map((e) => `{${e.changedFields.join(',')}}`),
      rows.map((e) => e.reason),
      rows.map((e) => e.requestId),
      rows.map((e) => e.ip),
      rows.map((e) => e.userAgent),
      rows.map((e) => e.prevHash),
      rows.map((e) => e.hash),
    ];
  }
}

export interface AuditTotals {
  entries: number;
  firstId: string;
  lastId: string;
}

/**
 * Appends about `target` entries (exactly, unless the creates alone exceed it) after the current
 * chain head. Entries never get an earlier time than the head's: on a database whose chain already
 * reaches today, the seeded history is squeezed to the head's time.
 */
export async function seedAudit(
  db: Client,
  world: SeedWorld,
  reference: Reference,
  cipher: PiiCipher,
  target: number,
  batchSize: number,
  progress: (entries: number) => void,
): Promise<AuditTotals> {
  const [head] = (
    await db.query(`SELECT last_id::text AS "lastId", last_hash AS "lastHash", last_occurred_at AS "lastOccurredAt" FROM audit_chain_head WHERE id = 1`)
  ).rows as { lastId: string; lastHash: string; lastOccurredAt: Date }[];
  // An empty chain constrains nothing (its head time is just when the migration ran).
  const floorMs = head.lastId === '0' ? Number.NEGATIVE_INFINITY : head.lastOccurredAt.getTime();
  // Monthly partitions for the whole history (the migration made them from its own day on only).
  await db.query(
    `SELECT audit_log_add_partition(month::date)
       FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
                            interval '1 month') AS month`,
    [new Date(Math.max(floorMs, world.startMs - 2 * DAY_MS)).toISOString()],
  );

  let contacts = 0;
  for (let n = 0; n < world.customers; n++) contacts += contactCount(world, n);
  const opening = referenceEvents(world, reference);
  const creates = opening.length + world.customers + contacts;
  const extras = Math.max(0, target - creates);
  const days = Math.ceil((world.endMs - world.startMs) / DAY_MS);
  // Activity grows with the customer base.
  const weight = (d: number) => d + 30;
  const totalWeight = (days * (days - 1)) / 2 + 30 * days;
  let cumulative = 0;

  let id = BigInt(head.lastId);
  let prevHash = head.lastHash;
  let lastOccurredAt = floorMs;
  let batch = new Batch();
  let writing: Promise<void> = Promise.resolve();
  let written = 0;
  const flush = async () => {
    const rows = batch;
    batch = new Batch();
    const expectedHead = (BigInt(rows.rows[0].id) - 1n).toString();
    const last = rows.rows[rows.rows.length - 1];
    await writing;
    writing = profiled('audit insert', db.query(INSERT_BATCH, [...rows.columns(), expectedHead, last.id, last.hash, last.occurredAt, rows.rows.length])).then((result) => {
      if (result.rowCount !== 1) throw new Error(`the audit chain head moved while seeding (expected last id ${expectedHead}); stop other writers and retry`);
      written += rows.rows.length;
      progress(written);
    });
    writing.catch(() => undefined); // awaited before the next batch and at the end
  };
  const append = async (events: Event[]) => {
    for (const event of events) {
      id += 1n;
      lastOccurredAt = Math.max(lastOccurredAt, event.at);
      const entry: ChainedEntry = { id: id.toString(), occurredAt: new Date(lastOccurredAt).toISOString(), ...event.entry };
      const hash = chainHash(prevHash, entry);
      batch.rows.push({ ...entry, prevHash, hash });
      prevHash = hash;
      if (batch.rows.length >= batchSize) {
        await flush();
        await yieldToLoop();
      }
    }
  };

  await append(opening);
  let nextCustomer = 0;
  for (let day = 0; day < days; day++) {
    const dayEnd = Math.min(world.startMs + (day + 1) * DAY_MS, world.endMs);
    const first = nextCustomer;
    while (nextCustomer < world.customers && createdAtOf(world, nextCustomer) < dayEnd) nextCustomer++;
    const before = Math.floor((extras * cumulative) / totalWeight);
    cumulative += weight(day);
    const count = Math.floor((extras * cumulative) / totalWeight) - before;
    await append(dayEvents(world, reference, cipher, day, count, first, nextCustomer));
    await yieldToLoop();
  }
  if (nextCustomer < world.customers) await append(dayEvents(world, reference, cipher, days, 0, nextCustomer, world.customers));
  if (batch.rows.length > 0) await flush();
  await writing;
  return { entries: written, firstId: (BigInt(head.lastId) + 1n).toString(), lastId: id.toString() };
}
