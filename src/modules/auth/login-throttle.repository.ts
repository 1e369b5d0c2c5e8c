import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';

export interface LoginLimits {
  /** Attempts per username and address in the window. */
  perUsernameAndAddress: number;
  /** Attempts per address, whatever the username, in the window. */
  perAddress: number;
  windowSeconds: number;
}

export type Reservation = { kind: 'reserved'; id: string; failures: number } | { kind: 'limited'; retryAfter: number };

@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly transactions: Transactions) {}

  /**
   * Takes one attempt of the sliding windows, or says how long until one frees up. The check and
   * the insert happen under a transaction-level advisory lock on the address, so a few hundred
   * concurrent attempts from one address cannot all slip past the check before any is counted.
   * `failures` counts this attempt with the earlier ones of the same username and address.
   * Call inside a (short) transaction.
   */
  async reserve(fingerprint: string, address: string, limits: LoginLimits): Promise<Reservation> {
    const manager = this.transactions.manager;
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('login-attempts:' || $1, 0))`, [address]);
    // Blocked while the window holds `limit` attempts: until the limit-th most recent one leaves it.
    const [row]: { retryAfter: number | null; failures: number }[] = await manager.query(
      `WITH recent AS (
         SELECT username_fingerprint, attempted_at FROM login_attempts
          WHERE address = $2 AND attempted_at > now() - make_interval(secs => $5))
       SELECT ceil(extract(epoch FROM greatest(
                (SELECT attempted_at FROM recent ORDER BY attempted_at DESC OFFSET $4::int - 1 LIMIT 1),
                (SELECT attempted_at FROM recent WHERE username_fingerprint = $1 ORDER BY attempted_at DESC OFFSET $3::int - 1 LIMIT 1)
              ) + make_interval(secs => $5) - now()))::int AS "retryAfter",
              (SELECT count(*)::int FROM recent WHERE username_fingerprint = $1) AS failures`,
      [fingerprint, address, limits.perUsernameAndAddress, limits.perAddress, limits.windowSeconds],
    );
    if (row.retryAfter !== null) return { kind: 'limited', retryAfter: Math.max(1, row.retryAfter) };
    const [inserted]: { id: string }[] = await manager.query(
      `INSERT INTO login_attempts (username_fingerprint, address) VALUES ($1, $2) RETURNING id::text AS id`,
      [fingerprint, address],
    );
    return { kind: 'reserved', id: inserted.id, failures: row.failures + 1 };
  }

  /** A successful login forgets the failures of that username from that address (and its own attempt). */
  async clear(fingerprint: string, address: string): Promise<void> {
    await this.transactions.manager.query(`DELETE FROM login_attempts WHERE username_fingerprint = $1 AND address = $2`, [fingerprint, address]);
  }

  /** Attempts that left every window count for nothing: the hourly job removes them. */
  async pruneOlderThan(windowSeconds: number): Promise<number> {
    const [, removed]: [unknown, number] = await this.transactions.manager.query(
      `DELETE FROM login_attempts WHERE attempted_at <= now() - make_interval(secs => $1)`,
      [windowSeconds],
    );
    return removed;
  }
}
