import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '../metrics/metrics';

export interface ScheduledJob {
  /** Stable name, the key of its row in scheduled_jobs. */
  name: string;
  /** Run at most once per this many seconds across all instances. */
  everySeconds: number;
  run(): Promise<Record<string, unknown>>;
}

// Often enough for the every-minute escalation sweep; a tick that claims nothing is one cheap UPDATE per job.
const TICK_MS = 30 * 1000;

/**
 * How long a claim holds without news from the instance that runs the job: it renews the claim
 * every third of this while the job runs, so a claim older than this belongs to an instance that
 * died (or lost the database), and another instance may take the run over.
 */
export const CLAIM_LEASE_SECONDS = 10 * 60;

export function claimLeaseSeconds(everySeconds: number): number {
  return Math.max(1, Math.min(everySeconds, CLAIM_LEASE_SECONDS));
}

interface Claim {
  /** last_started_at as this instance set it (renewals move it), as text: a Date would lose its microseconds. */
  startedAt: string;
  /** last_started_at before the claim: put back when the run fails, so the next tick tries again. */
  previous: string | null;
}

/**
 * Background jobs that run once across instances: every instance ticks, and a run is claimed by
 * one conditional UPDATE on the job's row, so only one instance wins each period. No state in memory
 * beyond the list of jobs.
 */
@Injectable()
export class JobScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('JobScheduler');
  private readonly jobs = new Map<string, ScheduledJob>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly running = new Set<Promise<string[]>>();
  /** Claims of failed runs that could not be given back yet (the database was away): given back at the next tick. */
  private readonly unreleased = new Map<string, Claim>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {}

  register(job: ScheduledJob): void {
    this.jobs.set(job.name, job);
  }

  /** Called after migrations, so the first tick finds its tables. */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    void this.tick();
  }

  /**
   * Shutting down: no new tick, no further job in a tick that is under way, and the job running
   * now gets up to `timeoutMs` to finish (its claim expires by itself if the instance dies first).
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs every job whose period has passed and that no other instance has claimed. */
  tick(): Promise<string[]> {
    const run = this.runDueJobs();
    this.running.add(run);
    void run.finally(() => this.running.delete(run)).catch(() => undefined);
    return run;
  }

  private async runDueJobs(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.jobs.values()) {
      if (this.stopping) break;
      let claim: Claim | undefined;
      let renewal: NodeJS.Timeout | undefined;
      try {
        await this.releaseLeftover(job.name);
        claim = await this.claim(job);
        if (!claim) continue;
        renewal = this.renewWhileRunning(job, claim);
        const result = await job.run();
        await this.dataSource.query(`UPDATE scheduled_jobs SET last_finished_at = now(), last_result = $2 WHERE name = $1`, [job.name, result]);
        this.metrics.jobRan(job.name, 'succeeded');
        this.logger.log(`${job.name} finished: ${JSON.stringify(result)}`);
        ran.push(job.name);
      } catch (error) {
        if (claim) this.metrics.jobRan(job.name, 'failed');
        this.logger.error(`${job.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (claim) await this.release(job.name, claim);
      } finally {
        clearInterval(renewal);
      }
    }
    return ran;
  }

  /**
   * A run is due when its period has passed since it last started, or when it was claimed but
   * neither finished nor renewed within the lease (the claiming instance died).
   */
  private async claim(job: ScheduledJob): Promise<Claim | undefined> {
    await this.dataSource.query(`INSERT INTO scheduled_jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [job.name]);
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [Claim[], number] = await this.dataSource.query(
      `UPDATE scheduled_jobs j SET last_started_at = clock_timestamp()
         FROM (SELECT name, last_started_at FROM scheduled_jobs WHERE name = $1 FOR UPDATE) before
        WHERE j.name = before.name
          AND (j.last_started_at IS NULL
               OR j.last_started_at < now() - make_interval(secs => $2)
               OR ((j.last_finished_at IS NULL OR j.last_finished_at < j.last_started_at) AND j.last_started_at < now() - make_interval(secs => $3)))
        RETURNING j.last_started_at::text AS "startedAt", before.last_started_at::text AS previous`,
      [job.name, job.everySeconds, claimLeaseSeconds(job.everySeconds)],
    );
    return rows[0];
  }

  /**
   * Keeps the claim fresh while the job runs, so that only a dead instance's claim expires. (The
   * next period then counts from the last renewal: a run that takes long starts its next one later.)
   */
  private renewWhileRunning(job: ScheduledJob, claim: Claim): NodeJS.Timeout {
    const timer = setInterval(() => {
      void this.dataSource
        .query(`UPDATE scheduled_jobs SET last_started_at = clock_timestamp() WHERE name = $1 AND last_started_at = $2::timestamptz RETURNING last_started_at::text AS "startedAt"`, [
          job.name,
          claim.startedAt,
        ])
        .then(([rows]: [{ startedAt: string }[]]) => {
          if (rows[0]) claim.startedAt = rows[0].startedAt;
        })
        .catch(() => undefined);
    }, (claimLeaseSeconds(job.everySeconds) * 1000) / 3);
    timer.unref();
    return timer;
  }

  /** Gives a failed run's claim back, so that the next tick (of any instance) runs it again. */
  private async release(name: string, claim: Claim): Promise<void> {
    try {
      await this.dataSource.query(`UPDATE scheduled_jobs SET last_started_at = $3::timestamptz WHERE name = $1 AND last_started_at = $2::timestamptz`, [name, claim.startedAt, claim.previous]);
      this.unreleased.delete(name);
    } catch {
      this.unreleased.set(name, claim);
    }
  }

  private async releaseLeftover(name: string): Promise<void> {
    const claim = this.unreleased.get(name);
    if (claim) await this.release(name, claim);
  }
}
