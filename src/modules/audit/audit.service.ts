import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/request-context';
import { Transactions } from '../../database/transactions';
import { Cursors, Page } from '../../common/pagination';
import { AuditRepository, EntityRefs, HistoryRow, PendingEntry } from './audit.repository';
import { AUDIT_LIMITS, diffSnapshots, toSnapshot } from './audit.rules';
import { integratorEvent, OutboxPii, outboxPiiOf } from './outbox.rules';
import { clip } from '../../common/errors/problem-limits';

export interface AuditEntry {
  /** `entity.verb`, e.g. `user.create`, `auth.login_failed`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  /** Snapshots of the record; the diff (changed fields only, for updates) is computed here. */
  before?: object | null;
  after?: object | null;
  reason?: string | null;
  /** Who acted, when it is not the authenticated caller (a login, a background job). */
  actor?: { id: string | null; role: string | null };
  /**
   * The unmasked values of personal fields the snapshots show masked. Never written to the audit
   * log: while a webhook is granted personal data, the ones the diff shows are sealed into the
   * change's outbox event (AuditRepository.append), for that webhook's deliveries.
   */
  pii?: OutboxPii;
}

/** The one way every module writes to the audit log, inside the transaction of its change. */
@Injectable()
export class AuditService {
  constructor(
    private readonly cursors: Cursors,
    private readonly audit: AuditRepository,
    private readonly context: RequestContext,
    private readonly transactions: Transactions,
  ) {}

  private outboxPiiWanted: () => Promise<boolean> = () => Promise.resolve(false);

  /**
   * The webhooks module says, at start-up, how to know whether any endpoint is granted personal data:
   * until one is, no copy of personal data is made for the outbox at all.
   */
  registerOutboxPiiWanted(check: () => Promise<boolean>): void {
    this.outboxPiiWanted = check;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.recordMany([entry]);
  }

  /**
   * Joins the caller's transaction (or opens one): if the change rolls back, so do its records;
   * if a record cannot be written, the change fails. An update that changed nothing writes nothing.
   * The time is taken when the entries join the chain (see AuditRepository.append).
   */
  async recordMany(entries: AuditEntry[]): Promise<void> {
    const pending = await this.pendingOf(entries);
    await this.transactions.run(() => this.audit.append(pending));
  }

  /**
   * Records a read that reveals personal data (pii.read): committed before the answer goes out
   * (in the caller's transaction if there is one), but queued outside the chain, so reads do not
   * queue behind one another and behind every change for the chain's lock. The next append, an
   * auditor's query or the idle flusher (AuditQueueFlusher) chains it. Its time of reading is kept
   * in `after.readAt`.
   */
  async recordRead(entry: AuditEntry): Promise<void> {
    const readAt = new Date().toISOString();
    // A read announces nothing to webhooks: without `pii` no personal data rides along into the queue.
    await this.audit.enqueue(await this.pendingOf([{ ...entry, pii: undefined, after: { ...(entry.after ?? {}), readAt } }]));
  }

  /** Chains the reads waiting in the queue, if any (one cheap probe when none): returns how many. */
  async chainQueuedReads(): Promise<number> {
    if (!(await this.audit.hasQueued())) return 0;
    return this.transactions.run(() => this.audit.chainQueued());
  }

  private async pendingOf(entries: AuditEntry[]): Promise<PendingEntry[]> {
    const user = this.context.user;
    const pending: PendingEntry[] = [];
    const announcesPii = entries.some((e) => e.pii !== undefined && integratorEvent(e.action) !== null);
    const keepPii = announcesPii && (await this.transactions.run(() => this.outboxPiiWanted()));
    for (const entry of entries) {
      const before = toSnapshot(entry.before);
      const after = toSnapshot(entry.after);
      const diff = diffSnapshots(before, after);
      if (before !== null && after !== null && diff.changedFields.length === 0) continue;
      if (diff.changedFields.length > AUDIT_LIMITS.changedFields || diff.changedFields.some((f) => f.length > AUDIT_LIMITS.fieldName)) {
        throw new Error(`audit snapshot of ${entry.action} has more than ${AUDIT_LIMITS.changedFields} fields or a field name over ${AUDIT_LIMITS.fieldName} characters`);
      }
      pending.push({
        actorId: entry.actor ? entry.actor.id : (user?.id ?? null),
        actorRole: entry.actor ? entry.actor.role : (user?.role ?? null),
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId ?? null,
        before: diff.before,
        after: diff.after,
        changedFields: diff.changedFields,
        reason: entry.reason == null ? null : clip(entry.reason, AUDIT_LIMITS.reason),
        requestId: this.context.requestId ?? null,
        ip: this.context.ip ?? null,
        userAgent: this.context.userAgent?.slice(0, 300) ?? null,
        outboxPii: keepPii ? outboxPiiOf(entry.pii, diff) : null,
      });
    }
    return pending;
  }

  /** The recorded changes of a set of entities (a customer and its contacts, say), newest first. */
  async history(refs: EntityRefs[], page: { limit?: number; cursor?: string }): Promise<Page<HistoryRow>> {
    const limit = page.limit ?? 20;
    const before = this.cursors.decode('history', page.cursor, 1)?.[0];
    const rows = await this.audit.changesOf(refs, before === undefined || before === null ? undefined : String(before), limit + 1);
    return this.cursors.page('history', rows, limit, (row) => row, (row) => [row.id]);
  }
}
