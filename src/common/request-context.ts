import { Injectable } from '@nestjs/common';
import { ClsService, ClsStore } from 'nestjs-cls';
import { AuthUser } from './auth/roles';

export interface RequestContextStore extends ClsStore {
  requestId?: string;
  ip?: string;
  userAgent?: string;
  user?: AuthUser;
}

/** Typed access to what the current request carries: its id, address and caller. */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<RequestContextStore>) {}

  get requestId(): string | undefined {
    return this.cls.isActive() ? this.cls.get('requestId') : undefined;
  }

  get ip(): string | undefined {
    return this.cls.isActive() ? this.cls.get('ip') : undefined;
  }

  get userAgent(): string | undefined {
    return this.cls.isActive() ? this.cls.get('userAgent') : undefined;
  }

  get user(): AuthUser | undefined {
    return this.cls.isActive() ? this.cls.get('user') : undefined;
  }

  setUser(user: AuthUser): void {
    this.cls.set('user', user);
  }
}
