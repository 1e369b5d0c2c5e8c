import { Injectable } from '@nestjs/common';
import { hashPassword } from '../../common/auth/passwords';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Cursors, Page } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { DepartmentsRepository } from '../departments';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { UserEntity } from './user.entity';
import { UserChanges, UsersRepository } from './users.repository';

export const INITIAL_ADMIN_USERNAME = 'admin';
const SYSTEM_ACTOR = { id: null, role: 'system' };

@Injectable()
export class UsersService {
  constructor(
    private readonly cursors: Cursors,
    private readonly users: UsersRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /** Admins see every user; a manager only the users of their own department. */
  private visibleTo(caller: AuthUser, user: UserEntity | null): user is UserEntity {
    return user !== null && (caller.role === 'admin' || user.departmentId === caller.departmentId);
  }

  async list(caller: AuthUser, query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const limit = query.limit ?? 20;
    const after = this.cursors.decode('users', query.cursor, 2) as [string, string] | undefined;
    let departmentId = query.departmentId;
    if (caller.role !== 'admin') {
      // A filter narrows the caller's scope, never widens it.
      if (departmentId !== undefined && departmentId !== caller.departmentId) return { items: [], nextCursor: null };
      departmentId = caller.departmentId;
    }
    const rows = await this.users.list({ role: query.role, departmentId, active: query.active, after, limit: limit + 1 });
    return this.cursors.page('users', rows, limit, UserDto.from, (u) => [u.username, u.id]);
  }

  async get(caller: AuthUser, id: string): Promise<UserDto> {
    const user = await this.users.findById(id);
    if (!this.visibleTo(caller, user)) throw notFound('User');
    return UserDto.from(user);
  }

  async create(dto: CreateUserDto): Promise<UserDto> {
    const passwordHash = await hashPassword(dto.password);
    return this.transactions.run(async () => {
      const user = UserDto.from(await this.users.insert({ ...dto, passwordHash }));
      await this.audit.record({ action: 'user.create', entityType: 'user', entityId: user.id, after: user });
      return user;
    });
  }

  async update(caller: AuthUser, id: string, dto: UpdateUserDto): Promise<UserDto> {
    const { version, password, ...fields } = dto;
    const changes: UserChanges = { ...fields };
    if (password !== undefined) changes.passwordHash = await hashPassword(password);
    return this.transactions.run(async () => {
      const current = await this.users.findById(id);
      if (!current) throw notFound('User');
      if (id === caller.id && dto.role !== undefined && dto.role !== current.role) {
        throw new DomainError('UNPROCESSABLE', 'You cannot change your own role', {
          errors: [{ field: 'role', message: 'you cannot change your own role' }],
        });
      }
      const updated = await this.users.update(id, version, changes);
      if (!updated) throw new DomainError('VERSION_CONFLICT', `User was changed meanwhile; current version is ${current.version}`);
      await this.audit.record({
        action: password !== undefined ? 'user.update_with_password_reset' : 'user.update',
        entityType: 'user',
        entityId: id,
        before: UserDto.from(current),
        after: UserDto.from(updated),
      });
      return UserDto.from(updated);
    });
  }

  deactivate(caller: AuthUser, id: string): Promise<UserDto> {
    return this.setActive(caller, id, false);
  }

  activate(caller: AuthUser, id: string): Promise<UserDto> {
    return this.setActive(caller, id, true);
  }

  private setActive(caller: AuthUser, id: string, active: boolean): Promise<UserDto> {
    return this.transactions.run(async () => {
      const current = await this.users.findById(id);
      if (!current) throw notFound('User');
      if (!active && id === caller.id) throw new DomainError('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate yourself');
      if (current.active === active) {
        if (!active) throw new DomainError('USER_INACTIVE', 'The user is already deactivated');
        return UserDto.from(current);
      }
      const updated = await this.users.update(id, current.version, { active, deactivatedAt: active ? null : new Date() });
      if (!updated) throw new DomainError('VERSION_CONFLICT', 'User was changed meanwhile; retry');
      await this.audit.record({
        action: active ? 'user.activate' : 'user.deactivate',
        entityType: 'user',
        entityId: id,
        before: UserDto.from(current),
        after: UserDto.from(updated),
      });
      return UserDto.from(updated);
    });
  }

  /**
   * First start: creates the `admin` user (and an Administration department for it) unless it
   * exists. Returns whether it was created. Runs under the start-up lock, so one instance does it.
   */
  async ensureInitialAdmin(password: string): Promise<boolean> {
    if (await this.users.exists(INITIAL_ADMIN_USERNAME)) return false;
    const passwordHash = await hashPassword(password);
    return this.transactions.run(async () => {
      const department = (await this.departments.findByName('Administration')) ?? (await this.departments.insert('Administration'));
      const admin = await this.users.insert({
        username: INITIAL_ADMIN_USERNAME,
        displayName: 'Administrator',
        passwordHash,
        role: 'admin',
        departmentId: department.id,
      });
      await this.audit.recordMany([
        { action: 'department.create', entityType: 'department', entityId: department.id, after: { id: department.id, name: department.name }, actor: SYSTEM_ACTOR },
        { action: 'user.create', entityType: 'user', entityId: admin.id, after: UserDto.from(admin), actor: SYSTEM_ACTOR, reason: 'initial administrator' },
      ]);
      return true;
    });
  }

  async initialAdminExists(): Promise<boolean> {
    return this.users.exists(INITIAL_ADMIN_USERNAME);
  }
}
