import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The use case is the transaction boundary: a service method wraps its work in `run`, and every
 * repository call inside it (the audit record included) uses `manager`, so all of them join the
 * same transaction without passing it around.
 */
@Injectable()
export class Transactions {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  constructor(private readonly dataSource: DataSource) {}

  /** The current transaction's manager, or the pool's outside a transaction. */
  get manager(): EntityManager {
    return this.storage.getStore() ?? this.dataSource.manager;
  }

  get active(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /** Joins the current transaction, or opens one that commits when `work` resolves and rolls back when it throws. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active) return work();
    return this.dataSource.transaction((manager) => this.storage.run(manager, work));
  }
}
