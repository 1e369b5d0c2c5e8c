import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';

@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly transactions: Transactions) {}

  /** Seconds until the username may try again, or 0. */
  async secondsLocked(username: string): Promise<number> {
    const rows: { seconds: number }[] = await this.transactions.manager.query(
      `SELECT ceil(extract(epoch FROM locked_until - now()))::int AS seconds
         FROM login_throttle WHERE username = $1 AND locked_until > now()`,
      [username],
    );
    return rows[0]?.seconds ?? 0;
  }

  /**
   * Counts one failure atomically; once `maxFailures` is reached the username is locked for
   * `lockSeconds`. A lock that has run out starts the count again.
   */
  async recordFailure(username: string, maxFailures: number, lockSeconds: number): Promise<{ failures: number; locked: boolean }> {
    const rows: { failures: number; locked: boolean }[] = await this.transactions.manager.query(
      `INSERT INTO login_throttle AS t (username, failures, last_failure_at, locked_until)
       VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END)
       ON CONFLICT (username) DO UPDATE SET
         failures = CASE WHEN t.locked_until IS NOT NULL AND t.locked_until <= now() THEN 1 ELSE t.failures + 1 END,
         last_failure_at = now(),
         locked_until = CASE
           WHEN (CASE WHEN t.locked_until IS NOT NULL AND t.locked_until <= now() THEN 1 ELSE t.failures + 1 END) >= $2
           THEN now() + make_interval(secs => $3) END
       RETURNING failures, locked_until IS NOT NULL AS locked`,
      [username, maxFailures, lockSeconds],
    );
    return rows[0];
  }

  async clear(username: string): Promise<void> {
    await this.transactions.manager.query(`DELETE FROM login_throttle WHERE username = $1`, [username]);
  }
}
