import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '../errors/domain-error';
import { AuthUserLookup } from './auth-user-lookup';
import { CHECKS_USER_ITSELF_KEY, PUBLIC_KEY, ROLES_KEY } from './decorators';
import { JwtKeys } from './jwt-keys';
import type { TokenSubject } from './jwt.strategy';
import type { AuthUser, Role } from './roles';
import { verifiedTokenSubject } from './token-subject';

/**
 * Global guard: a valid bearer token on every route not marked @Public (checked by passport-jwt,
 * `JwtStrategy`), naming an active user (looked up on every request: a deactivated user loses
 * access at once), then the route's @Roles. A route that names no roles is refused, so a
 * forgotten decorator cannot open a route.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: JwtKeys,
    private readonly users: AuthUserLookup,
  ) {
    super();
  }

  override async canActivate(execution: ExecutionContext): Promise<boolean> {
    const targets = [execution.getHandler(), execution.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(CHECKS_USER_ITSELF_KEY, targets)) {
      // The handler checks the user (and the role) in its own statement: see ChecksUserItself. The
      // token was verified already by the rate limit, which runs first (verifiedTokenSubject keeps it).
      const request = execution.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; tokenSubject?: string }>();
      const subject = verifiedTokenSubject(request, this.keys);
      if (subject === null) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required');
      request.tokenSubject = subject;
      return true;
    }
    await super.canActivate(execution);
    const request = execution.switchToHttp().getRequest<{ user: TokenSubject | AuthUser }>();
    // No @Roles: no role is admitted (deny by default).
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    // A failing lookup (the database busy or away) is the server's problem, not a bad token: it goes
    // on to the exception filter (503 BUSY / DATABASE_UNAVAILABLE), never 401. admit: 401 / 403, as
    // on the @ChecksUserItself routes.
    request.user = this.users.admit(await this.users.findActive((request.user as TokenSubject).subject), roles);
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    // A token that does not verify arrives as no user, without an error.
    if (error) throw error;
    if (!user) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required');
    return user;
  }
}
