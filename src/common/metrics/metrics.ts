import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';

/** Seconds; from a one-row read (about a millisecond) to a statement timeout. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; the chain-head lock is held for a write's last statement and its commit: usually well under 10 ms. */
const LOCK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A request's route label when no route matched (404s of unknown paths): one label, not one per path tried. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The service's Prometheus metrics, in a registry of its own (one per application, so several
 * instances in one process, as in the tests, do not collide). Served on GET /metrics (bootstrap),
 * outside the API contract. Counting is in memory and per instance: Prometheus adds instances up.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'crm_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  /** One child per method, route and status class: labels() hashes its arguments on each call, a map lookup is cheaper. */
  private readonly requestChildren = new Map<string, ReturnType<typeof this.requestDuration.labels>>();

  private readonly chainLockWait = new Histogram({
    name: 'crm_audit_chain_lock_wait_seconds',
    help: 'Time an audit append waited for (and took) the chain-head row lock',
    buckets: LOCK_BUCKETS,
    registers: [this.registry],
  });

  private readonly auditAppended = new Counter({
    name: 'crm_audit_entries_appended_total',
    help: 'Audit entries appended to the hash chain by this instance (counted when the statement ran; a rolled-back transaction counts too)',
    registers: [this.registry],
  });

  private readonly jobRuns = new Counter({
    name: 'crm_job_runs_total',
    help: 'Scheduled job runs this instance claimed, by job and outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: 'crm_rate_limit_refusals_total',
    help: 'Requests refused with 429 by the per-token (or per-address) rate limit',
    labelNames: ['key_kind'] as const,
    registers: [this.registry],
  });

  constructor(dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'crm_' });
    // Read when scraped, from the pool itself: nothing to keep up to date per request.
    const pool = () => (dataSource.driver as unknown as { master?: Pool }).master;
    this.gaugeOnScrape('crm_db_pool_max', 'Largest number of connections the pool may open (DB_POOL_SIZE)', () => pool()?.options.max ?? 0);
    this.gaugeOnScrape('crm_db_pool_connections', 'Connections the pool holds now, busy or idle', () => pool()?.totalCount ?? 0);
    this.gaugeOnScrape('crm_db_pool_idle', 'Connections in the pool not in use', () => pool()?.idleCount ?? 0);
    this.gaugeOnScrape(
      'crm_db_pool_waiting',
      'Requests waiting for a connection (sustained above 0: the pool is too small or the queries too slow; see 503 BUSY)',
      () => pool()?.waitingCount ?? 0,
    );
  }

  private gaugeOnScrape(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A response was sent: `route` is the route template (`/api/v1/customers/:id`), not the path. */
  observeRequest(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    const statusClass = `${Math.floor(statusCode / 100)}xx`;
    const routeLabel = route ?? UNMATCHED_ROUTE;
    const key = `${method} ${routeLabel} ${statusClass}`;
    let child = this.requestChildren.get(key);
    if (child === undefined) {
      child = this.requestDuration.labels(method, routeLabel, statusClass);
      this.requestChildren.set(key, child);
    }
    child.observe(seconds);
  }

  observeChainLockWait(seconds: number): void {
    this.chainLockWait.observe(seconds);
  }

  auditEntriesAppended(count: number): void {
    this.auditAppended.inc(count);
  }

  jobRan(job: string, outcome: 'succeeded' | 'failed'): void {
    this.jobRuns.labels(job, outcome).inc();
  }

  rateLimitRefused(keyKind: 'user' | 'address'): void {
    this.rateLimited.labels(keyKind).inc();
  }

  /** The text exposition format, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
