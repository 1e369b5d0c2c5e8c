import type { Logger } from '@nestjs/common';

/**
 * Runs `pass` every `everyMs` on this instance, one pass at a time: a call while a pass runs gets
 * that pass's result instead of starting another. A failed pass is logged and counts 0; the next
 * tick tries again. For work every instance does on its own timer (unlike JobScheduler's jobs,
 * which run once across instances).
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly logger: Logger,
    /** Names the work in the error line: "<what> failed: …". */
    private readonly what: string,
    private readonly pass: () => Promise<number>,
  ) {}

  start(everyMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.run(), everyMs);
    this.timer.unref();
  }

  /** One pass, unless one is under way: what it returns (0 when it failed). */
  run(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.pass()
      .catch((error: unknown) => {
        this.logger.error(`${this.what} failed: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** No further tick; waits for the pass under way, if any. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
