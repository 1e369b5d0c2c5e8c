import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, invalidCursor } from '../../common/pagination';
import { type AuditDownload, downloadOf, toAuditLogEntryDto } from './audit-export';
import { actionFilter, type AuditFilter, type AuditPosition, positionFromCursor, rangeProblem } from './audit-log.rules';
import { type AuditPage, AuditRepository, chainedEntryOf, type StoredRow } from './audit.repository';
import { AuthUserLookup, isUserId } from '../../common/auth/auth-user-lookup';
import type { Role } from '../../common/auth/roles';
import { ChainVerifier, GENESIS_HASH } from './audit.rules';
import { AuditService } from './audit.service';
import type { AuditLogFilterDto, AuditLogPageDto, ExportAuditLogQueryDto, ListAuditLogQueryDto, VerifyChainQueryDto } from './dto/audit-log.dto';
import type { ChainVerificationDto } from './dto/chain-verification.dto';
import { LongReadSlots } from './long-read-slots';
import { SigningKey } from '../../common/crypto/signing-key';
import { AuditCheckpointsRepository } from './audit-checkpoints.repository';
import { CheckpointChecker } from './checkpoint.rules';

/** How many months' partitions beyond the current one are kept ready. */
export const PARTITION_MONTHS_AHEAD = 3;

/** Who reads the whole log: auditors, and admins. */
export const AUDIT_READERS: readonly Role[] = ['auditor', 'admin'];

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

/** What auditors (and admins) do with the whole log: search it, export it, check it for tampering. */
@Injectable()
export class AuditLogService {
  private readonly logger = new Logger('AuditLog');

  constructor(
    private readonly cursors: Cursors,
    private readonly repository: AuditRepository,
    private readonly audit: AuditService,
    private readonly slots: LongReadSlots,
    private readonly checkpoints: AuditCheckpointsRepository,
    private readonly signingKey: SigningKey,
    private readonly tokenUsers: AuthUserLookup,
  ) {}

  /**
   * GET /audit-logs (a @ChecksUserItself route): the token's subject is checked here, for the
   * auditor's and admin's roles, before any row is used. A page by one entity reads the user with
   * it, in one statement; any other page checks the user first.
   */
  async list(subject: string, query: ListAuditLogQueryDto): Promise<AuditLogPageDto> {
    const filter = this.filterOf(query);
    const order = query.order ?? 'newest';
    const limit = query.limit ?? 50;
    const key = this.cursors.decode('audit-log', query.cursor, 3);
    let after: AuditPosition | undefined;
    if (key) {
      const position = positionFromCursor(key, order);
      if (position === 'other-order') throw invalidCursor('cursor belongs to the other order');
      if (position === undefined) throw invalidCursor();
      after = position;
    }
    // Reads waiting in the queue join the chain first: an auditor never misses one that happened
    // before the query. The page's statement says whether any wait (usually none: one statement).
    const oneStatement = AuditRepository.readsInOneStatement(filter, limit + 1) && isUserId(subject);
    const read = async (): Promise<AuditPage> => {
      if (oneStatement) {
        const page = await this.repository.entityPageAsUser(subject, filter, order, after, limit + 1);
        this.tokenUsers.admit(page.caller, AUDIT_READERS);
        return page;
      }
      this.tokenUsers.admit(await this.tokenUsers.findActive(subject), AUDIT_READERS);
      return this.repository.search(filter, order, after, limit + 1);
    };
    let page = await read();
    if (page.queued) {
      await this.audit.chainQueuedReads();
      page = await read();
    }
    const rows = page.rows;
    return this.cursors.page('audit-log', rows, limit, toAuditLogEntryDto, (row) => [order, row.occurredAt.toISOString(), row.id]);
  }

  /**
   * Streams every matching entry (oldest first unless asked otherwise). The download is recorded
   * (audit.export, with the filters) and committed before the first byte goes out.
   */
  async exportLog(query: ExportAuditLogQueryDto): Promise<AuditDownload> {
    const filter = this.filterOf(query);
    const order = query.order ?? 'oldest';
    const after = query.afterId === undefined ? undefined : await this.repository.positionOf(query.afterId);
    if (query.afterId !== undefined && after === undefined) throw invalid('afterId', 'afterId does not name an audit entry');
    const release = this.slots.take();
    try {
      const { format, afterId, ...filters } = query;
      await this.audit.record({ action: 'audit.export', entityType: 'audit_log', after: { format, ...filters, order, afterId } });
      const rows = await this.repository.streamEntries(filter, order, after, this.slots);
      rows.once('close', release);
      const download = downloadOf(rows, format, new Date());
      return { ...download, body: this.slots.stream(download.body, release) };
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * Recomputes the hash chain over the entries of a time range (all of it by default), streaming
   * through them. The range is an id range of the chain: its first entry's prevHash must be the
   * hash of the entry just before it (or the genesis hash), and without `to` the walk must end
   * at the chain head, so that entries removed from the end are noticed too.
   */
  async verifyChain(query: VerifyChainQueryDto): Promise<ChainVerificationDto> {
    const problem = rangeProblem(query.from, query.to);
    if (problem) throw invalid('to', problem);
    const release = this.slots.take();
    try {
      return await this.verifyRange(query);
    } finally {
      release();
    }
  }

  /**
   * The stored checkpoints whose entry lies in the range (without `to`, also any beyond the head:
   * their entries were removed) are compared with the entries as the walk passes them.
   */
  private async verifyRange(query: VerifyChainQueryDto): Promise<ChainVerificationDto> {
    const nothing = { valid: true, checked: 0, firstBrokenId: null, checkpointsChecked: 0, checkpointMismatch: null };
    const head = await this.repository.chainHead();
    const firstId = query.from === undefined ? '1' : await this.repository.firstIdFrom(query.from);
    const before = query.to === undefined ? head.lastId : await this.repository.lastIdBefore(query.to);
    if (firstId === undefined || before === undefined) return nothing;
    const lastId = BigInt(before) < BigInt(head.lastId) ? before : head.lastId;
    if (BigInt(firstId) > BigInt(lastId)) return nothing;
    const checker = new CheckpointChecker(await this.checkpoints.inRange(firstId, query.to === undefined ? undefined : lastId), this.signingKey);
    // A missing predecessor is a removed entry: '' fits no prevHash, so the first entry is named.
    const prevHash = firstId === '1' ? GENESIS_HASH : ((await this.repository.hashOf((BigInt(firstId) - 1n).toString())) ?? '');
    const verifier = new ChainVerifier(prevHash, firstId);
    const rows = await this.repository.streamChain(firstId, lastId, this.slots);
    try {
      for await (const row of rows as AsyncIterable<StoredRow>) {
        if (!verifier.accept(chainedEntryOf(row), row)) break;
        checker.see(row.id, row.hash);
      }
    } finally {
      rows.destroy();
    }
    verifier.expectEnd(lastId, lastId === head.lastId ? head.lastHash : undefined);
    checker.finish(verifier.valid);
    return {
      valid: verifier.valid && checker.valid,
      checked: verifier.checked,
      firstBrokenId: verifier.firstBrokenId,
      checkpointsChecked: checker.checked,
      checkpointMismatch: checker.firstMismatch,
    };
  }

  /** Keeps the partitions of this month and the next ones ready (the daily job). */
  async preparePartitions(monthsAhead = PARTITION_MONTHS_AHEAD): Promise<{ created: string[]; blocked: string[] }> {
    const outcomes = await this.repository.addPartitions(monthsAhead);
    const months = (outcome: string) => outcomes.filter((o) => o.outcome === outcome).map((o) => o.month);
    const blocked = months('blocked');
    if (blocked.length > 0) {
      this.logger.warn(`audit_log_default holds entries of ${blocked.join(', ')}: those months stay in the DEFAULT partition`);
    }
    return { created: months('created'), blocked };
  }

  private filterOf(query: AuditLogFilterDto): AuditFilter {
    if (query.entityId !== undefined && query.entityType === undefined) {
      throw invalid('entityId', 'entityId needs entityType');
    }
    const problem = rangeProblem(query.from, query.to);
    if (problem) throw invalid('to', problem);
    return {
      entityType: query.entityType,
      entityId: query.entityId,
      actorId: query.actorId,
      ...actionFilter(query.action),
      from: query.from,
      to: query.to,
      requestId: query.requestId,
    };
  }
}
