import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '../errors/domain-error';
import { RequestContext } from '../request-context';
import { CHECKS_USER_ITSELF_KEY, PUBLIC_KEY, ROLES_KEY } from './decorators';
import { JwtKeys } from './jwt-keys';
import type { AuthUser, Role } from './roles';
import { verifiedTokenSubject } from './token-subject';

/**
 * Global guard: a valid bearer token on every route not marked @Public, naming an active user
 * (passport-jwt's strategy, `JwtStrategy`, looks the user up on every request: a deactivated user
 * loses access at once), then the route's @Roles. A route that names no roles is refused, so a
 * forgotten decorator cannot open a route.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly context: RequestContext,
    private readonly keys: JwtKeys,
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
    const user = execution.switchToHttp().getRequest<{ user: AuthUser }>().user;
    this.context.setUser(user);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(user.role)) throw new DomainError('FORBIDDEN', 'Your role does not allow this action');
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    // Looking the user up can fail (the database busy or away): that is the server's problem, not a
    // bad token, so the error goes on to the exception filter (503 BUSY / DATABASE_UNAVAILABLE), never 401.
    // A token that does not verify or names no active user arrives as no user, without an error.
    if (error) throw error;
    if (!user) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required');
    return user;
  }
}
