import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { type AuthUser, type Role, ROLES } from './roles';

export const PUBLIC_KEY = 'crm:public';
export const ROLES_KEY = 'crm:roles';

/** No token needed (login, health). Every other route requires one. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-public', true));

/** Which roles may call the route. A route without it is refused: deny by default. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const AnyRole = () => Roles(...ROLES);

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser => {
  return context.switchToHttp().getRequest<{ user: AuthUser }>().user;
});

export const CHECKS_USER_ITSELF_KEY = 'crm:checks-user-itself';

/**
 * The guard checks only the token's signature and lifetime: the handler looks the user up (active,
 * current role and department) in the same statement as what it reads, and answers 401 when the
 * user is gone or deactivated, and 403 for a role the route does not name. Not a cache: every
 * request still checks the user in the database.
 */
export const ChecksUserItself = () => SetMetadata(CHECKS_USER_ITSELF_KEY, true);

/** On a @ChecksUserItself route: the token's subject (a user id, not yet checked against the database). */
export const TokenSubject = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<{ tokenSubject: string }>().tokenSubject;
});
