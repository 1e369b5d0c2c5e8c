import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

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
 * Background jobs that run once across instances: every instance ticks, and a run is claimed by
 * one conditional UPDATE on the job's row, so only one instance wins each period. No state in memory
 * beyond the list of jobs.
 */
@Injectable()
export class JobScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('JobScheduler');
  private readonly jobs = new Map<string, ScheduledJob>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  register(job: ScheduledJob): void {
    this.jobs.set(job.name, job);
  }

  /** Called after migrations, so the first tick finds its tables. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    void this.tick();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs every job whose period has passed and that no other instance has claimed. */
  async tick(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.jobs.values()) {
      try {
        if (!(await this.claim(job))) continue;
        const result = await job.run();
        await this.dataSource.query(`UPDATE scheduled_jobs SET last_finished_at = now(), last_result = $2 WHERE name = $1`, [job.name, result]);
        this.logger.log(`${job.name} finished: ${JSON.stringify(result)}`);
        ran.push(job.name);
      } catch (error) {
        this.logger.error(`${job.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return ran;
  }

  private async claim(job: ScheduledJob): Promise<boolean> {
    await this.dataSource.query(`INSERT INTO scheduled_jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [job.name]);
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [, claimed]: [unknown[], number] = await this.dataSource.query(
      `UPDATE scheduled_jobs SET last_started_at = now()
        WHERE name = $1 AND (last_started_at IS NULL OR last_started_at < now() - make_interval(secs => $2))
        RETURNING name`,
      [job.name, job.everySeconds],
    );
    return claimed > 0;
  }
}
