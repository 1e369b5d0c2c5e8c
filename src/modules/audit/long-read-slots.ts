import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { endWhenIdle } from '../../common/http/idle-stream';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.provider';

/**
 * Exports (of the audit log and of customers) and chain verifications each hold a pooled
 * connection, or come back for one page after page, for as long as they stream. A quarter of the
 * pool at most goes to them, so that they never starve the API's other requests.
 */
@Injectable()
export class LongReadSlots {
  private inUse = 0;
  readonly capacity: number;
  /** A download whose client takes nothing for this long is ended (see EXPORT_IDLE_TIMEOUT_MS). */
  readonly idleTimeoutMs: number;
  /** statement_timeout of a long read's own connection. */
  readonly statementTimeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.capacity = Math.max(1, Math.floor(config.dbPoolSize / 4));
    this.idleTimeoutMs = config.exportIdleTimeoutMs;
    this.statementTimeoutMs = config.db.longReadStatementTimeoutMs;
  }

  /** Takes a slot or refuses at once; the returned function gives it back (once, however often called). */
  take(): () => void {
    if (this.inUse >= this.capacity) {
      throw new DomainError('AUDIT_READS_BUSY', `${this.capacity} exports or verifications are running on this instance; retry shortly`, {
        headers: { 'retry-after': '10' },
      });
    }
    this.inUse += 1;
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      this.inUse -= 1;
    };
  }

  /**
   * The body of a download holding a slot: ended when its client stops reading for the idle
   * timeout (so that it does not keep a snapshot open and block vacuum), and giving the slot back
   * when it closes, however it ends.
   */
  stream(body: Readable, release: () => void): Readable {
    const guarded = endWhenIdle(body, this.idleTimeoutMs);
    guarded.once('close', release);
    return guarded;
  }
}
