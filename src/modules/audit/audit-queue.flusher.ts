import { Inject, Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.provider';
import type { AppConfig } from '../../config/config';
import { AuditService } from './audit.service';

/**
 * Chains the reads waiting in audit_queue when no change does it first (see AuditQueueEntity).
 * Runs on every instance; the chain-head lock makes concurrent flushes take turns, and each takes
 * what it finds, so nothing is chained twice. A tick with nothing waiting is one EXISTS probe.
 */
@Injectable()
export class AuditQueueFlusher implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditQueueFlusher');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.config.auditQueueFlushMs);
    this.timer.unref();
  }

  /** One pass, unless one is under way: how many reads it chained. */
  flush(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.audit
      .chainQueuedReads()
      .catch((error: unknown) => {
        this.logger.error(`chaining queued reads failed: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** A last pass on the way out (what it misses waits, committed, for the next instance's append). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.flush();
  }
}
