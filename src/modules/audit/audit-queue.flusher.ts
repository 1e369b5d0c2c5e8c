import { Inject, Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { Poller } from '../../common/jobs/poller';
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
  private readonly poller = new Poller(new Logger('AuditQueueFlusher'), 'chaining queued reads', () => this.audit.chainQueuedReads());

  constructor(
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(): void {
    this.poller.start(this.config.auditQueueFlushMs);
  }

  /** One pass, unless one is under way: how many reads it chained. */
  flush(): Promise<number> {
    return this.poller.run();
  }

  /** A last pass on the way out (what it misses waits, committed, for the next instance's append). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.poller.stop();
    await this.flush();
  }
}
