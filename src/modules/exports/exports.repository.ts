import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { ExportEntity } from './export.entity';

@Injectable()
export class ExportsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(ExportEntity);
  }

  insert(record: Pick<ExportEntity, 'approvalId' | 'requesterId' | 'filter' | 'format' | 'reason'>): Promise<ExportEntity> {
    return this.repo.save(this.repo.create(record));
  }

  findById(id: string): Promise<ExportEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByApproval(approvalId: string): Promise<ExportEntity | null> {
    return this.repo.findOneBy({ approvalId });
  }

  async setStatus(id: string, status: ExportEntity['status']): Promise<void> {
    await this.repo.update({ id }, { status, approvedAt: status === 'approved' ? new Date() : null });
  }

  async countDownload(id: string): Promise<void> {
    await this.repo.increment({ id }, 'downloadCount', 1);
  }
}
