import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { IndustryEntity } from './industry.entity';

@Injectable()
export class IndustriesRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(IndustryEntity);
  }

  findAll(): Promise<IndustryEntity[]> {
    return this.repo.find({ order: { code: 'ASC' } });
  }

  /** Locks the list (every replacement takes this lock first) and returns it. */
  async lockAll(): Promise<IndustryEntity[]> {
    await this.transactions.manager.query(`LOCK TABLE industries IN SHARE ROW EXCLUSIVE MODE`);
    return this.findAll();
  }

  /** The whole list becomes `list`, in two statements. */
  async replaceAll(list: { code: string; name: string }[]): Promise<void> {
    await this.transactions.manager.query(`DELETE FROM industries`);
    await this.transactions.manager.query(
      `INSERT INTO industries (code, name) SELECT r.code, r.name FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text)`,
      [JSON.stringify(list)],
    );
  }
}
