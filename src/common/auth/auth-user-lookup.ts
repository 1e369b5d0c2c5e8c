import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from './roles';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The one query every authenticated request makes: by primary key, outside any transaction. */
@Injectable()
export class AuthUserLookup {
  constructor(private readonly dataSource: DataSource) {}

  async findActive(id: string): Promise<AuthUser | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows: AuthUser[] = await this.dataSource.query(
      `SELECT id, username, role, department_id AS "departmentId" FROM users WHERE id = $1 AND active`,
      [id],
    );
    return rows[0];
  }
}
