import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { CustomerAccessRow } from './access.rules';

@Injectable()
export class CustomerAccessRepository {
  constructor(private readonly transactions: Transactions) {}

  /** Inside a transaction the row is locked, so the decision holds until commit. */
  async find(id: string): Promise<CustomerAccessRow | undefined> {
    const lock = this.transactions.active ? 'FOR UPDATE' : '';
    const rows: CustomerAccessRow[] = await this.transactions.manager.query(
      `SELECT id, owner_id AS "ownerId", department_id AS "departmentId", status, merged_into_id AS "mergedIntoId" FROM customers WHERE id = $1 ${lock}`,
      [id],
    );
    return rows[0];
  }

  async findMany(ids: string[]): Promise<CustomerAccessRow[]> {
    return this.transactions.manager.query(
      `SELECT id, owner_id AS "ownerId", department_id AS "departmentId", status FROM customers WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }
}
