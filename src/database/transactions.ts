import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { DataSource, EntityManager, EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { contentionError, databaseUnavailable, isDatabaseOutage, isReleasedRunner, isRetryableTransactionError, retryDelayMs } from '../common/errors/outage-errors';

/** Attempts of one use case's transaction when it fails with a transient error (see `run`). */
export const TRANSACTION_ATTEMPTS = 3;

export interface RunOptions {
  /**
   * false when `work` does something outside the database that must not happen twice (sends a
   * message, writes to a stream): a transient failure then answers 503 instead of running it again.
   */
  repeatable?: boolean;
}

const STATEMENT_NAMES_KEPT = 1000;

interface HydrationStep {
  column: ColumnMetadata;
  key: string;
  copy: boolean;
  date: boolean;
  numeric: boolean;
}

/**
 * Column types for which the Postgres driver's prepareHydratedValue returns what node-postgres gave
 * (strings, numbers, parsed JSON, booleans, Dates for timestamptz): a plain column of one of these
 * is copied. Not here: 'date' (TypeORM turns node-postgres's Date into 'YYYY-MM-DD'), Number (parsed
 * with parseInt), enums.
 */
const COPIED_TYPES = new Set<unknown>(['uuid', 'varchar', 'character varying', 'text', 'int', 'integer', 'smallint', 'bigint', 'numeric', 'decimal', 'jsonb', 'json', 'timestamptz', 'boolean', String, Boolean]);

function copiedAsItIs(column: ColumnMetadata): boolean {
  return COPIED_TYPES.has(column.type) && !column.transformer && !column.embeddedMetadata && !column.relationMetadata && !column.isVirtual && !column.isArray;
}

/**
 * The use case is the transaction boundary: a service method wraps its work in `run`, and every
 * repository call inside it (the audit record included) uses `manager`, so all of them join the
 * same transaction without passing it around.
 */
@Injectable()
export class Transactions {
  private readonly storage = new AsyncLocalStorage<EntityManager>();
  /** A prepared statement's name by its text: hashing the text on every call was a visible share of a by-id read. */
  private readonly statementNames = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /** The current transaction's manager, or the pool's outside a transaction. */
  get manager(): EntityManager {
    return this.storage.getStore() ?? this.dataSource.manager;
  }

  get active(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /**
   * Runs `work` inside the current transaction behind a savepoint: if it throws, only its own
   * changes are undone and the transaction goes on (an approval that cannot be executed is
   * recorded as failed, with nothing of the execution half-applied).
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    if (!this.active) throw new Error('savepoint() needs an open transaction');
    const name = `sp_${++this.savepoints}`;
    await this.manager.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await this.manager.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.manager.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  }

  private savepoints = 0;

  /**
   * A query builder's statement, prepared (see `prepared`): each row as the main alias's entity
   * (from the columns TypeORM selects as <alias>_<column>), with the raw row for added selects.
   */
  async preparedEntities<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): Promise<{ entity: E; raw: Record<string, unknown> }[]> {
    const [sql, params] = qb.getQueryAndParameters();
    const main = qb.expressionMap.mainAlias!;
    const rows = await this.prepared<Record<string, unknown>>(sql, params);
    return rows.map((raw) => ({ entity: this.hydrate<E>(main.metadata, raw, main.name), raw }));
  }

  /**
   * An entity from a raw row's <alias>_<column> columns (alias null: an object keyed by column, as
   * to_json(row) writes it), converted as TypeORM converts them. A plain column of a type the driver
   * hands over as TypeORM keeps it is copied as it is; any other goes through TypeORM (a date, a
   * transformer, an embedded or relation column), and so does a timestamptz given as text (JSON).
   * A numeric JSON wrote as a number becomes the string node-postgres would have given. Per entity
   * and alias the plan is made once: TypeORM's generic path for every column was ~10 µs of a by-id read.
   */
  hydrate<T extends object>(meta: EntityMetadata, row: Record<string, unknown>, alias: string | null): T {
    const entity = meta.create() as Record<string, unknown>;
    for (const step of this.hydrationPlan(meta, alias)) {
      let value = row[step.key];
      if (step.numeric && typeof value === 'number') value = String(value);
      // A timestamptz read as text (a cast in the statement) still goes to TypeORM, which makes it a Date.
      if (step.copy && !(step.date && typeof value === 'string')) entity[step.column.propertyName] = value;
      else step.column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(value, step.column));
    }
    return entity as T;
  }

  private hydrationPlan(meta: EntityMetadata, alias: string | null): HydrationStep[] {
    let byAlias = this.hydrationPlans.get(meta);
    if (!byAlias) this.hydrationPlans.set(meta, (byAlias = new Map()));
    let plan = byAlias.get(alias);
    if (!plan) {
      plan = meta.columns.map((column) => ({
        column,
        key: alias === null ? column.databaseName : `${alias}_${column.databaseName}`,
        copy: copiedAsItIs(column),
        date: column.type === 'timestamptz',
        numeric: column.type === 'numeric' || column.type === 'decimal',
      }));
      byAlias.set(alias, plan);
    }
    return plan;
  }

  private readonly hydrationPlans = new WeakMap<EntityMetadata, Map<string | null, HydrationStep[]>>();

  /**
   * Runs `sql` as a named prepared statement when no transaction is open: each pooled connection
   * plans it once and reuses the plan, which for a hot one-row read costs more than executing it.
   * Inside a transaction it is an ordinary query of that transaction. The statement is named by
   * its text, so a query built from filters gets one prepared statement per shape (a few).
   * Logged through TypeORM's logger like every other statement.
   */
  async prepared<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (this.active) return this.manager.query(sql, params);
    this.dataSource.logger.logQuery(sql, params);
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    let name = this.statementNames.get(sql);
    if (name === undefined) {
      name = `p_${createHash('sha1').update(sql).digest('base64url')}`;
      // As many as the code has statement shapes (a few dozen); the bound is only a safety net.
      if (this.statementNames.size >= STATEMENT_NAMES_KEPT) this.statementNames.clear();
      this.statementNames.set(sql, name);
    }
    return (await pool.query({ name, text: sql, values: params })).rows as T[];
  }


  /**
   * Joins the current transaction, or opens one that commits when `work` resolves and rolls back
   * when it throws. A transaction the server rolled back as a serialization failure or deadlock,
   * or whose connection was lost before COMMIT was sent, changed nothing: it runs again, up to
   * TRANSACTION_ATTEMPTS in all, when the use case is repeatable (everything it does is in the
   * transaction); otherwise it answers 503 (BUSY, or DATABASE_UNAVAILABLE for a lost connection) and
   * changed nothing. A connection lost after COMMIT was sent leaves the outcome unknown: that is a 503
   * DATABASE_UNAVAILABLE saying so, never a retry that could apply the change twice.
   */
  async run<T>(work: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (this.active) return work();
    for (let attempt = 1; ; attempt += 1) {
      const state = { commitSent: false };
      try {
        return await this.once(work, state);
      } catch (error) {
        const transient = isRetryableTransactionError(error, state.commitSent);
        if (!transient || options.repeatable === false || attempt >= TRANSACTION_ATTEMPTS) {
          if (state.commitSent && isDatabaseOutage(error)) {
            throw databaseUnavailable(
              'The connection to the database was lost while committing: the change may or may not have been saved. Read the record back before repeating it',
            );
          }
          // Rolled back, nothing changed: a 503 the client may simply retry (the filter makes a lost connection DATABASE_UNAVAILABLE).
          if (transient && !isDatabaseOutage(error)) throw contentionError();
          throw error;
        }
        await sleep(retryDelayMs(attempt));
      }
    }
  }

  private async once<T>(work: () => Promise<T>, state: { commitSent: boolean }): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      const result = await this.storage.run(runner.manager, work);
      state.commitSent = true;
      await runner.commitTransaction();
      return result;
    } catch (error) {
      // TypeORM released the runner when its connection failed: COMMIT was refused before it was sent.
      if (isReleasedRunner(error)) state.commitSent = false;
      // After a lost connection the rollback fails too; the server has rolled back already.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }
}
