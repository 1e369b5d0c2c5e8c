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
