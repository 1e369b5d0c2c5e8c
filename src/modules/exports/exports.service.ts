import { pipeline, Readable } from 'node:stream';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { AuthUser } from '../../common/auth/roles';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Cursors, PageQueryDto } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess, seesMaskedPii } from '../access';
import { ApprovalEntity, ApprovalsService } from '../approvals';
import { AuditService, LongReadSlots } from '../audit';
import { ContactsRepository, CustomersRepository } from '../customers';
import { toContactDto } from '../customers/customer.mapper';
import { UsersRepository } from '../users';
import { ExportCustomerIdsPageDto, ExportDto, ExportFilterDto, RequestExportDto } from './dto/export.dto';
import { ExportEntity } from './export.entity';
import { csvRecord, exportApprover, exportColumns, requesterChange } from './export.rules';
import { ExportsRepository, StreamableFilter } from './exports.repository';

const DOWNLOAD_WINDOW_MS = 24 * 3_600_000;
const BATCH = 500;
/** Ids taken per statement when the approval snapshots the export. */
const SNAPSHOT_BATCH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALL_STATUSES = ['active', 'dormant', 'archived'];

function toDto(e: ExportEntity): ExportDto {
  return {
    id: e.id,
    approvalId: e.approvalId,
    status: e.status,
    filter: e.filter,
    format: e.format,
    reason: e.reason,
    recipient: e.recipient,
    requesterId: e.requesterId,
    requesterRole: e.requesterRole,
    requesterDepartmentId: e.requesterDepartmentId,
    createdAt: e.createdAt.toISOString(),
    approvedAt: e.approvedAt?.toISOString() ?? null,
    expiresAt: e.approvedAt ? new Date(e.approvedAt.getTime() + DOWNLOAD_WINDOW_MS).toISOString() : null,
    rowCount: e.rowCount,
    idsDigest: e.idsDigest,
    downloadCount: e.downloadCount,
  };
}

/**
 * 对外提供需审批: customer data leaves the company only through an approved export, decided by
 * someone responsible for all of it, downloaded by its requester. The approval fixes which
 * customers it holds (export_items); the download streams those and no others.
 */
@Injectable()
export class ExportsService implements OnModuleInit {
  constructor(
    private readonly cursors: Cursors,
    private readonly exports: ExportsRepository,
    private readonly customers: CustomersRepository,
    private readonly contacts: ContactsRepository,
    private readonly users: UsersRepository,
    private readonly access: CustomerAccess,
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly cipher: PiiCipher,
    private readonly slots: LongReadSlots,
  ) {}

  onModuleInit(): void {
    this.approvals.register({
      type: 'customer.export',
      execute: (approval) => this.snapshot(approval),
      onClosed: async (approval: ApprovalEntity, outcome) => {
        const record = await this.exports.findByApproval(approval.id);
        if (record) await this.exports.setStatus(record.id, outcome);
      },
    });
  }

  request(caller: AuthUser, dto: RequestExportDto): Promise<ExportDto> {
    return this.transactions.run(async () => {
      const filter = JSON.parse(JSON.stringify(dto.filter)) as Record<string, unknown>;
      const approver = exportApprover(caller, dto.filter);
      const approval = await this.approvals.request(caller, 'customer.export', dto.reason, { filter, format: dto.format, recipient: dto.recipient }, [approver]);
      const record = await this.exports.insert({
        approvalId: approval.id,
        requesterId: caller.id,
        requesterRole: caller.role,
        requesterDepartmentId: caller.departmentId,
        filter,
        format: dto.format,
        reason: dto.reason,
        recipient: dto.recipient,
      });
      return toDto(record);
    });
  }

  async get(caller: AuthUser, id: string): Promise<ExportDto> {
    return toDto(await this.visible(caller, id));
  }

  /** Which customers the export took: what an auditor needs to say what left the company, and to whom. */
  async customerIds(caller: AuthUser, id: string, query: PageQueryDto): Promise<ExportCustomerIdsPageDto> {
    await this.visible(caller, id);
    const limit = query.limit ?? 20;
    const cursor = this.cursors.decode('export-customer-ids', query.cursor, 1);
    const after = cursor?.[0];
    if (cursor && (typeof after !== 'string' || !UUID.test(after))) {
      throw new DomainError('VALIDATION_FAILED', 'cursor is not valid', { errors: [{ field: 'cursor', message: 'cursor must be a value returned as nextCursor' }] });
    }
    const ids = await this.exports.itemIds(id, after as string | undefined, limit + 1);
    return this.cursors.page('export-customer-ids', ids, limit, (customerId) => customerId, (customerId) => [customerId]);
  }

  /**
   * For the requester only, approved, within 24 hours, and only while they hold the role and
   * department they asked with; each download audited before it starts. Rows stream out a page
   * at a time: memory stays flat whatever the size.
   */
  async download(caller: AuthUser, id: string): Promise<{ filename: string; body: Readable }> {
    const record = await this.exports.findById(id);
    if (!record || record.requesterId !== caller.id) throw notFound('Export');
    if (record.status !== 'approved' || !record.approvedAt) throw new DomainError('EXPORT_NOT_READY', `The export is ${record.status}, not approved`);
    if (record.rowCount === null) throw new DomainError('EXPORT_NOT_READY', 'The export was approved before exports kept their customers; request it again');
    if (Date.now() > record.approvedAt.getTime() + DOWNLOAD_WINDOW_MS) throw new DomainError('EXPORT_EXPIRED', 'The 24-hour download window has passed; request a new export');
    const changed = requesterChange(record, caller);
    if (changed) throw new DomainError('EXPORT_REQUESTER_CHANGED', `${changed}; request a new export`);
    const filter = this.streamableFor(caller, record.filter as ExportFilterDto);
    // Downloads share the long-read slots with audit exports and verifications.
    const release = this.slots.take();
    try {
      await this.recordDownload(record, filter);
    } catch (error) {
      release();
      throw error;
    }
    const columns = exportColumns(caller);
    const rows = Readable.from(this.rows(caller, id, filter, columns));
    const csv = pipeline(rows, stringify({ bom: true, header: true, columns }), () => undefined);
    return { filename: `customers-${id}.csv`, body: this.slots.stream(csv, release) };
  }

  private recordDownload(record: ExportEntity, filter: StreamableFilter): Promise<void> {
    const id = record.id;
    return this.transactions.run(async () => {
      await this.exports.countDownload(id);
      const rowsNow = await this.exports.countStreamable(id, filter);
      await this.audit.record({
        action: 'export.download',
        entityType: 'export',
        entityId: id,
        after: { filter: record.filter, recipient: record.recipient, rowCount: record.rowCount, idsDigest: record.idsDigest, rowsNow, downloadNumber: record.downloadCount + 1 },
        reason: record.reason,
      });
    });
  }

  /** Runs in the approver's transaction: takes the customers the requester may export now, and keeps their ids. */
  private async snapshot(approval: ApprovalEntity): Promise<Record<string, unknown>> {
    const record = (await this.exports.findByApproval(approval.id))!;
    const user = await this.users.findById(record.requesterId);
    if (!user) throw new DomainError('EXPORT_REQUESTER_CHANGED', 'The requester no longer exists');
    const changed = requesterChange(record, user);
    if (changed) throw new DomainError('EXPORT_REQUESTER_CHANGED', changed);
    const requester: AuthUser = { id: user.id, username: user.username, role: user.role, departmentId: user.departmentId };
    const filter = record.filter as ExportFilterDto;
    let after: [string, string] | undefined;
    for (;;) {
      const page = await this.customers.list({
        scope: this.access.listScope(requester, 'c', [filter.status ?? 'active']),
        ...filter,
        marketableOnly: filter.marketable === true || requester.role === 'marketing',
        sort: 'name',
        after,
        limit: SNAPSHOT_BATCH,
      });
      await this.exports.addItems(record.id, page.map((r) => r.customer.id));
      if (page.length < SNAPSHOT_BATCH) break;
      const last = page[page.length - 1];
      after = [last.sortKey, last.customer.id];
    }
    await this.exports.setStatus(record.id, 'approved');
    const { rowCount, idsDigest } = await this.exports.seal(record.id);
    return { exportId: record.id, recipient: record.recipient, rowCount, idsDigest };
  }

  /**
   * At download, the snapshot's customers that are still there and that the requester may still
   * see as they asked (marketing: consent still granted); the deleted and the merged are left out.
   */
  private streamableFor(requester: AuthUser, filter: ExportFilterDto): StreamableFilter {
    return {
      scope: this.access.listScope(requester, 'c', ALL_STATUSES),
      marketableOnly: filter.marketable === true || requester.role === 'marketing',
    };
  }

  private async *rows(reader: AuthUser, exportId: string, filter: StreamableFilter, columns: string[]): AsyncGenerator<Record<string, string>> {
    const masked = seesMaskedPii(reader);
    let after: string | undefined;
    for (;;) {
      const page = await this.exports.streamablePage(exportId, filter, after, BATCH);
      if (page.length === 0) return;
      const ids = page.map((c) => c.id);
      const [primaries, tags] = await Promise.all([this.contacts.primaryOf(ids), this.customers.tagsOf(ids, reader.id)]);
      const primaryOf = new Map(primaries.map((c) => [c.customerId, toContactDto(c, this.cipher, masked)]));
      for (const c of page) {
        const contact = primaryOf.get(c.id);
        yield csvRecord(
          {
            ...c,
            tags: (tags.get(c.id) ?? []).map((t) => `${t.groupName}/${t.name}`).join('; '),
            primaryContact: contact?.name,
            mobile: contact?.mobile,
            email: contact?.email,
            wechatId: contact?.wechatId,
          },
          columns,
        );
      }
      if (page.length < BATCH) return;
      after = page[page.length - 1].id;
    }
  }

  /** Requesters see their own exports; admins and auditors see all of them; to anyone else they do not exist. */
  private async visible(caller: AuthUser, id: string): Promise<ExportEntity> {
    const record = await this.exports.findById(id);
    if (!record || (record.requesterId !== caller.id && caller.role !== 'admin' && caller.role !== 'auditor')) throw notFound('Export');
    return record;
  }
}
