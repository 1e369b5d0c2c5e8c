import { Inject, Injectable } from '@nestjs/common';
import { BUSY_RETRY_AFTER_SECONDS } from '../../common/errors/busy-errors';
import { DomainError } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.provider';

/** Gives the slot back (once, however often called). */
export type SlotRelease = () => void;

interface Waiter {
  grant: (release: SlotRelease) => void;
  timer: NodeJS.Timeout;
}

/**
 * Uploads streaming in on this instance. Each holds one pooled connection while its bytes come in,
 * so at most `capacity` run at once (ATTACHMENT_MAX_CONCURRENT_UPLOADS, at most half the pool) and
 * the rest of the pool stays for every other request. A few more wait their turn, first come first
 * served, their bodies unread (a waiting upload holds a socket, no connection and no memory); when
 * the queue is full, or a turn does not come within the wait, the answer is 503 BUSY with
 * Retry-After, before the body is read.
 */
@Injectable()
export class UploadSlots {
  readonly capacity: number;
  readonly queueLength: number;
  readonly queueWaitMs: number;
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'attachmentUploads'>) {
    this.capacity = config.attachmentUploads.maxConcurrent;
    this.queueLength = config.attachmentUploads.queueLength;
    this.queueWaitMs = config.attachmentUploads.queueWaitMs;
  }

  /** Uploads streaming now, and uploads waiting for a turn. */
  get usage(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.length };
  }

  /** A slot now, or after a wait in the queue; 503 BUSY when the queue is full or the wait runs out. */
  take(): Promise<SlotRelease> {
    if (this.running < this.capacity) {
      this.running += 1;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.queueLength) return Promise.reject(this.busy(`${this.capacity} uploads are streaming in and ${this.queueLength} more are waiting on this instance`));
    return new Promise<SlotRelease>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          reject(this.busy(`no upload slot came free within ${this.queueWaitMs} ms on this instance`));
        }, this.queueWaitMs),
      };
      this.queue.push(waiter);
    });
  }

  private releaser(): SlotRelease {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) {
        // The slot passes straight to the next in line: `running` stays as it is.
        clearTimeout(next.timer);
        next.grant(this.releaser());
      } else {
        this.running -= 1;
      }
    };
  }

  private busy(why: string): DomainError {
    return new DomainError('BUSY', `${why} (ATTACHMENT_MAX_CONCURRENT_UPLOADS); send the file again shortly`, {
      headers: { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) },
    });
  }
}
