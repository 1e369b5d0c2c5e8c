import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { IdempotencyRepository } from './idempotency.repository';

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Makes a creating request happen once per (caller, key): the first one runs and its answer is
 * stored in the same transaction as what it created; a retry with the same request gets that
 * answer again, one with a different request 422 IDEMPOTENCY_KEY_REUSED, and one that arrives
 * while the first still runs 409 IDEMPOTENCY_IN_PROGRESS (an advisory lock held by the first
 * request's transaction says so, across instances). A request that fails stores nothing.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly transactions: Transactions,
  ) {}

  run<T>(callerId: string, key: string, requestHash: string, create: () => Promise<{ status: number; body: T }>): Promise<IdempotentAnswer<T>> {
    if (this.transactions.active) throw new Error('IdempotencyService.run opens the transaction of the creation itself');
    return this.transactions.run(async () => {
      if (!(await this.keys.tryLock(callerId, key))) {
        throw new DomainError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly', { headers: { 'Retry-After': '1' } });
      }
      const stored = await this.keys.find(callerId, key);
      if (stored) {
        if (stored.requestHash !== requestHash) {
          throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request; use a new key for a new request', {
            errors: [{ field: 'Idempotency-Key', message: 'already used with a different request within 24 hours' }],
          });
        }
        return { status: stored.responseStatus, body: stored.responseBody as T, replayed: true };
      }
      const answer = await create();
      await this.keys.store(callerId, key, { requestHash, responseStatus: answer.status, responseBody: answer.body });
      return { ...answer, replayed: false };
    });
  }

  /** Hourly: answers past their 24 hours are forgotten. */
  purgeExpired(): Promise<number> {
    return this.transactions.run(() => this.keys.deleteExpired());
  }
}
