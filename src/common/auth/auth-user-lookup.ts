import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { DomainError } from '../errors/domain-error';
import { RequestContext } from '../request-context';
import type { AuthUser, Role } from './roles';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a token's subject can name a user at all (a statement casting it to uuid needs this first). */
export function isUserId(subject: string): boolean {
  return UUID.test(subject);
}

/**
 * The one query every authenticated request makes: by primary key, outside any transaction, as a
 * prepared statement (its planning cost more than its execution).
 */
@Injectable()
export class AuthUserLookup {
  constructor(
    private readonly transactions: Transactions,
    private readonly context: RequestContext,
  ) {}

  async findActive(id: string): Promise<AuthUser | undefined> {
    if (!isUserId(id)) return undefined;
    const rows: AuthUser[] = await this.transactions.prepared(
      `SELECT id, username, role, department_id AS "departmentId" FROM users WHERE id = $1 AND active`,
      [id],
    );
    return rows[0];
  }

  /**
   * What the guard decides, for a @ChecksUserItself route: `user` is the active user its handler's
   * own statement found for the token's subject (undefined: unknown or deactivated, 401), admitted
   * when its role is one of `roles` (else 403) and recorded as the request's caller.
   */
  admit(user: AuthUser | undefined, roles: readonly Role[]): AuthUser {
    if (!user) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required');
    this.context.setUser(user);
    if (!roles.includes(user.role)) throw new DomainError('FORBIDDEN', 'Your role does not allow this action');
    return user;
  }
}
