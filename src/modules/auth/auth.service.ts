import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JwtKeys } from '../../common/auth/jwt-keys';
import { verifyPassword } from '../../common/auth/passwords';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { clientAddressKey } from '../../common/http/rate-limit';
import { RequestContext } from '../../common/request-context';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.provider';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { UserEntity, UsersRepository } from '../users';
import { LoginDto, LoginResponseDto, MeDto } from './dto/login.dto';
import { LoginLimits, LoginThrottleRepository } from './login-throttle.repository';
import { fingerprintKey, normalizeUsername, usernameFingerprint } from './login.rules';

const toMe = (user: UserEntity): MeDto => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
  role: user.role,
  departmentId: user.departmentId,
});

@Injectable()
export class AuthService {
  private readonly fingerprintKey: Buffer;
  private readonly limits: LoginLimits;

  constructor(
    private readonly users: UsersRepository,
    private readonly throttle: LoginThrottleRepository,
    private readonly audit: AuditService,
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
    private readonly transactions: Transactions,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fingerprintKey = fingerprintKey(keys.key);
    this.limits = {
      perUsernameAndAddress: config.login.maxFailures,
      perAddress: config.login.addressMaxFailures,
      windowSeconds: config.login.lockSeconds,
    };
  }

  /**
   * Wrong username, wrong password and deactivated user all answer the same 401. Three short steps,
   * none holding a connection while argon2 works: take an attempt of the sliding windows (or 429),
   * check the password with no connection or transaction open, then record the outcome and its
   * audit entry in one short transaction. A stranger's failures from another address do not
   * count against a user: the per-username window is per username *and* address.
   */
  async login(dto: LoginDto): Promise<LoginResponseDto> {
    const username = normalizeUsername(dto.username);
    const fingerprint = usernameFingerprint(this.fingerprintKey, username);
    const address = clientAddressKey(this.context.ip);
    const reservation = await this.transactions.run(() => this.throttle.reserve(fingerprint, address, this.limits));
    if (reservation.kind === 'limited') {
      throw new DomainError('RATE_LIMITED', `Too many failed logins; try again in ${reservation.retryAfter} seconds`, {
        headers: { 'retry-after': String(reservation.retryAfter) },
      });
    }
    const user = await this.users.findByUsername(username);
    const passwordOk = await verifyPassword(user?.passwordHash, dto.password);
    const actor = { id: user?.id ?? null, role: user?.role ?? null };
    if (!user || !passwordOk || !user.active) {
      const reason = !user ? 'unknown username' : !passwordOk ? 'wrong password' : 'user deactivated';
      // What someone typed into the username box is kept only as a fingerprint unless it names a user.
      const typed = user ? { username } : { usernameFingerprint: fingerprint };
      await this.transactions.run(() =>
        this.audit.record({
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          actor,
          after: { ...typed, failures: reservation.failures },
          reason,
        }),
      );
      throw new DomainError('INVALID_CREDENTIALS', 'Wrong username or password');
    }
    await this.transactions.run(async () => {
      await this.throttle.clear(fingerprint, address);
      await this.users.recordLogin(user.id);
      await this.audit.record({ action: 'auth.login', entityType: 'user', entityId: user.id, actor, after: { username } });
    });
    const accessToken = await this.jwt.signAsync({ sub: user.id, role: user.role });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.keys.expiresInSeconds, user: toMe(user) };
  }

  /** Drops attempts that have left every window (the hourly job). */
  pruneAttempts(): Promise<number> {
    return this.transactions.run(() => this.throttle.pruneOlderThan(this.limits.windowSeconds));
  }

  async me(caller: AuthUser): Promise<MeDto> {
    const user = await this.users.findById(caller.id);
    if (!user) throw notFound('User');
    return toMe(user);
  }
}
