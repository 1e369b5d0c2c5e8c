import { Readable } from 'node:stream';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { AuthUser } from '../../common/auth/roles';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { CustomerAccess, seesMaskedPii } from '../access';
import { ApprovalEntity, ApprovalsService, type StepSpec } from '../approvals';
import { AuditService } from '../audit';
import { ContactsRepository, CustomersRepository } from '../customers';
import { toContactDto } from '../customers/customer.mapper';
import { ExportDto, ExportFilterDto, RequestExportDto } from './dto/export.dto';
import { ExportEntity } from './export.entity';
import { ExportsRepository } from './exports.repository';

const DOWNLOAD_WINDOW_MS = 24 * 3_600_000;
const BATCH = 500;
const COLUMNS = [
  'id', 'name', 'shortName', 'kind', 'industry', 'scale', 'source', 'stage', 'importance', 'status', 'ownerId', 'departmentId',
  'tierId', 'marketingConsent', 'tags', 'lastInteractionAt', 'nextFollowUpAt', 'primaryContact', 'mobile', 'email', 'wechatId',
];

function toDto(e: ExportEntity): ExportDto {
  return {
    id: e.id,
    approvalId: e.approvalId,
    status: e.status,
    filter: e.filter,
    format: e.format,
    reason: e.reason,
    requesterId: e.requesterId,
    createdAt: e.createdAt.toISOString(),
    approvedAt: e.approvedAt?.toISOString() ?? null,
    expiresAt: e.approvedAt ? new Date(e.approvedAt.getTime() + DOWNLOAD_WINDOW_MS).toISOString() : null,
    downloadCount: e.downloadCount,
  };
}

/** 对外提供需审批: customer data leaves the company only through an approved export, downloaded by its requester. */
@Injectable()
export class ExportsService implements OnModuleInit {
  constructor(
    private readonly exports: ExportsRepository,
    private readonly customers: CustomersRepository,
    private readonly contacts: ContactsRepository,
    private readonly access: CustomerAccess,
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly cipher: PiiCipher,
  ) {}

  onModuleInit(): void {
    this.approvals.register({
      type: 'customer.export',
      execute: async (approval) => {
        const record = (await this.exports.findByApproval(approval.id))!;
        await this.exports.setStatus(record.id, 'approved');
        return { exportId: record.id };
      },
      onClosed: async (approval: ApprovalEntity, outcome) => {
        const record = await this.exports.findByApproval(approval.id);
        if (record) await this.exports.setStatus(record.id, outcome);
      },
    });
  }

  /** The requester's department manager decides; an export of the whole company goes to an admin. */
  request(caller: AuthUser, dto: RequestExportDto): Promise<ExportDto> {
    return this.transactions.run(async () => {
      const companyWide = ['admin', 'service', 'marketing', 'auditor'].includes(caller.role) && !dto.filter.departmentId;
      const steps: StepSpec[] = companyWide ? [{ kind: 'admin' }] : [{ kind: 'department_manager', departmentId: caller.departmentId }];
      const filter = JSON.parse(JSON.stringify(dto.filter)) as Record<string, unknown>;
      const approval = await this.approvals.request(caller, 'customer.export', dto.reason, { filter, format: dto.format }, steps);
      const record = await this.exports.insert({ approvalId: approval.id, requesterId: caller.id, filter, format: dto.format, reason: dto.reason });
      return toDto(record);
    });
  }

  async get(caller: AuthUser, id: string): Promise<ExportDto> {
    const record = await this.exports.findById(id);
    if (!record || (record.requesterId !== caller.id && caller.role !== 'admin' && caller.role !== 'auditor')) throw notFound('Export');
    return toDto(record);
  }

  /**
   * For the requester only, approved, within 24 hours; each download audited before it starts.
   * Rows stream out a page at a time: memory stays flat whatever the size.
   */
  async download(caller: AuthUser, id: string): Promise<{ filename: string; body: Readable }> {
    const record = await this.exports.findById(id);
    if (!record || record.requesterId !== caller.id) throw notFound('Export');
    if (record.status !== 'approved' || !record.approvedAt) throw new DomainError('EXPORT_NOT_READY', `The export is ${record.status}, not approved`);
    if (Date.now() > record.approvedAt.getTime() + DOWNLOAD_WINDOW_MS) throw new DomainError('EXPORT_EXPIRED', 'The 24-hour download window has passed; request a new export');
    await this.transactions.run(async () => {
      await this.exports.countDownload(id);
      await this.audit.record({ action: 'export.download', entityType: 'export', entityId: id, after: { filter: record.filter, downloadNumber: record.downloadCount + 1 } });
    });
    const rows = Readable.from(this.rows(caller, record.filter as ExportFilterDto));
    return { filename: `customers-${id}.csv`, body: rows.pipe(stringify({ bom: true, header: true, columns: COLUMNS })) };
  }

  private async *rows(caller: AuthUser, filter: ExportFilterDto): AsyncGenerator<Record<string, unknown>> {
    const masked = seesMaskedPii(caller);
    let after: [string, string] | undefined;
    for (;;) {
      const page = await this.customers.list({
        scope: this.access.listScope(caller, 'c', [filter.status ?? 'active']),
        ...filter,
        marketableOnly: filter.marketable === true || caller.role === 'marketing',
        sort: 'name',
        after,
        limit: BATCH,
      });
      if (page.length === 0) return;
      const ids = page.map((r) => r.customer.id);
      const [primaries, tags] = await Promise.all([this.contacts.primaryOf(ids), this.customers.tagsOf(ids, caller.id)]);
      const primaryOf = new Map(primaries.map((c) => [c.customerId, toContactDto(c, this.cipher, masked)]));
      for (const { customer: c } of page) {
        const contact = primaryOf.get(c.id);
        yield {
          ...c,
          tags: (tags.get(c.id) ?? []).map((t) => `${t.groupName}/${t.name}`).join('; '),
          lastInteractionAt: c.lastInteractionAt?.toISOString() ?? '',
          nextFollowUpAt: c.nextFollowUpAt?.toISOString() ?? '',
          primaryContact: contact?.name ?? '',
          mobile: contact?.mobile ?? '',
          email: contact?.email ?? '',
          wechatId: contact?.wechatId ?? '',
        };
      }
      if (page.length < BATCH) return;
      const last = page[page.length - 1];
      after = [last.sortKey, last.customer.id];
    }
  }
}
