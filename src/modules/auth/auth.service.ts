import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JwtKeys } from '../../common/auth/jwt-keys';
import { verifyPassword } from '../../common/auth/passwords';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.provider';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { UserEntity, UsersRepository } from '../users';
import { LoginDto, LoginResponseDto, MeDto } from './dto/login.dto';
import { LoginThrottleRepository } from './login-throttle.repository';

const toMe = (user: UserEntity): MeDto => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
  role: user.role,
  departmentId: user.departmentId,
});

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly throttle: LoginThrottleRepository,
    private readonly audit: AuditService,
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Wrong username, wrong password and deactivated user all answer the same 401. The failure and
   * its audit record are committed before the error is thrown.
   */
  async login(dto: LoginDto): Promise<LoginResponseDto> {
    const username = dto.username.trim().toLowerCase();
    const outcome = await this.transactions.run(() => this.attemptLogin(username, dto.password));
    if (outcome.kind === 'locked') {
      throw new DomainError('TOO_MANY_ATTEMPTS', `Too many failed logins; try again in ${outcome.retryAfter} seconds`, {
        headers: { 'retry-after': String(outcome.retryAfter) },
      });
    }
    if (outcome.kind === 'failed') throw new DomainError('INVALID_CREDENTIALS', 'Wrong username or password');
    const user = outcome.user;
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.keys.expiresInSeconds, user: toMe(user) };
  }

  private async attemptLogin(
    username: string,
    password: string,
  ): Promise<{ kind: 'ok'; user: UserEntity } | { kind: 'failed' } | { kind: 'locked'; retryAfter: number }> {
    const lockedFor = await this.throttle.secondsLocked(username);
    const user = await this.users.findByUsername(username);
    const actor = { id: user?.id ?? null, role: user?.role ?? null };
    const subject = { action: 'auth.login_failed', entityType: 'user', entityId: user?.id ?? null, actor };
    if (lockedFor > 0) {
      await this.audit.record({ ...subject, after: { username }, reason: 'locked after repeated failures' });
      return { kind: 'locked', retryAfter: lockedFor };
    }
    const passwordOk = await verifyPassword(user?.passwordHash, password);
    if (!user || !passwordOk || !user.active) {
      const { maxFailures, lockSeconds } = this.config.login;
      const { failures } = await this.throttle.recordFailure(username, maxFailures, lockSeconds);
      const reason = !user ? 'unknown username' : !passwordOk ? 'wrong password' : 'user deactivated';
      await this.audit.record({ ...subject, after: { username, failures }, reason });
      return { kind: 'failed' };
    }
    await this.throttle.clear(username);
    await this.users.recordLogin(user.id);
    await this.audit.record({ action: 'auth.login', entityType: 'user', entityId: user.id, actor, after: { username } });
    return { kind: 'ok', user };
  }

  async me(caller: AuthUser): Promise<MeDto> {
    const user = await this.users.findById(caller.id);
    if (!user) throw notFound('User');
    return toMe(user);
  }
}
