import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { Role } from '../../common/auth/roles';
import { UserEntity } from './user.entity';

export interface UserFilter {
  role?: Role;
  departmentId?: string;
  active?: boolean;
  /** Keyset: rows strictly after this (username, id). */
  after?: [string, string];
  limit: number;
}

export type UserChanges = Partial<Pick<UserEntity, 'displayName' | 'passwordHash' | 'role' | 'departmentId' | 'active' | 'deactivatedAt'>>;

@Injectable()
export class UsersRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ username });
  }

  /** Ordered by (username, id), the index ix_users_department / uq_users_username serve it. */
  list(filter: UserFilter): Promise<UserEntity[]> {
    const query = this.repo.createQueryBuilder('u').orderBy('u.username', 'ASC').addOrderBy('u.id', 'ASC').limit(filter.limit);
    if (filter.role) query.andWhere('u.role = :role', { role: filter.role });
    if (filter.departmentId) query.andWhere('u.department_id = :departmentId', { departmentId: filter.departmentId });
    if (filter.active !== undefined) query.andWhere('u.active = :active', { active: filter.active });
    if (filter.after) query.andWhere('(u.username, u.id) > (:afterName, :afterId)', { afterName: filter.after[0], afterId: filter.after[1] });
    return query.getMany();
  }

  insert(user: Pick<UserEntity, 'username' | 'displayName' | 'passwordHash' | 'role' | 'departmentId'>): Promise<UserEntity> {
    return this.repo.save(this.repo.create(user));
  }

  /** Compare-and-set on version: null when the user was changed meanwhile. */
  async update(id: string, version: number, changes: UserChanges): Promise<UserEntity | null> {
    return (await updateVersioned(this.repo, id, version, changes)) ? this.findById(id) : null;
  }

  /** Not an edit of the user's record: leaves version and updated_at alone. */
  async recordLogin(id: string): Promise<void> {
    await this.transactions.manager.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [id]);
  }

  async exists(username: string): Promise<boolean> {
    return this.repo.existsBy({ username });
  }
}
