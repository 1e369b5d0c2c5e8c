import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from './auth/roles';

export interface RequestStore {
  requestId?: string;
  ip?: string;
  userAgent?: string;
  user?: AuthUser;
}

const storage = new AsyncLocalStorage<RequestStore>();

/** Runs `work` (and everything it awaits) with this request's id, address and, later, caller. */
export function runInRequestContext<T>(store: RequestStore, work: () => T): T {
  return storage.run(store, work);
}

/** The current request's id, for code outside Nest's injection (the logger); undefined outside a request. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Typed access to what the current request carries; empty outside a request (start-up, jobs). */
@Injectable()
export class RequestContext {
  get requestId(): string | undefined {
    return storage.getStore()?.requestId;
  }

  get ip(): string | undefined {
    return storage.getStore()?.ip;
  }

  get userAgent(): string | undefined {
    return storage.getStore()?.userAgent;
  }

  get user(): AuthUser | undefined {
    return storage.getStore()?.user;
  }

  setUser(user: AuthUser): void {
    const store = storage.getStore();
    if (store) store.user = user;
  }
}
