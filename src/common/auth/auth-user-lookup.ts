import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { AuthUser } from './roles';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one query every authenticated request makes: by primary key, outside any transaction, as a
 * prepared statement (its planning cost more than its execution).
 */
@Injectable()
export class AuthUserLookup {
  constructor(private readonly transactions: Transactions) {}

  async findActive(id: string): Promise<AuthUser | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows: AuthUser[] = await this.transactions.prepared(
      `SELECT id, username, role, department_id AS "departmentId" FROM users WHERE id = $1 AND active`,
      [id],
    );
    return rows[0];
  }
}
