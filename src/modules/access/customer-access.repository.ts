import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { CustomerAccessRow } from './access.rules';

const COLUMNS = `id, owner_id AS "ownerId", department_id AS "departmentId", status, marketing_consent AS "marketingConsent"`;

@Injectable()
export class CustomerAccessRepository {
  constructor(private readonly transactions: Transactions) {}

  /** With `lock`, inside a transaction, the row is locked so that the decision holds until commit. */
  async find(id: string, lock: boolean): Promise<CustomerAccessRow | undefined> {
    const forUpdate = lock && this.transactions.active ? 'FOR UPDATE' : '';
    const rows: CustomerAccessRow[] = await this.transactions.manager.query(
      `SELECT ${COLUMNS}, merged_into_id AS "mergedIntoId" FROM customers WHERE id = $1 ${forUpdate}`,
      [id],
    );
    return rows[0];
  }

  async findMany(ids: string[]): Promise<CustomerAccessRow[]> {
    return this.transactions.manager.query(
      `SELECT ${COLUMNS} FROM customers WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }
}
