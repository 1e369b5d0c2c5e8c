import { Injectable } from '@nestjs/common';

/** Seconds a client turned away by a draining instance is asked to wait (the load balancer has another one by then). */
export const DRAIN_RETRY_AFTER_SECONDS = 1;

/**
 * The requests this instance is answering, and whether it is shutting down. On SIGTERM the
 * instance stops taking work (`begin`), answers what arrives meanwhile with 503 SHUTTING_DOWN and
 * `Connection: close`, and waits (`settled`) for the requests in flight, downloads included, to finish.
 */
@Injectable()
export class Drain {
  private isDraining = false;
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  get draining(): boolean {
    return this.isDraining;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  begin(): void {
    this.isDraining = true;
  }

  /** A request started; the returned function ends it (call it once, when its response is done or its connection closed). */
  enter(): () => void {
    this.inFlight += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Resolves true once no request is in flight, or false when `timeoutMs` passes first. */
  settled(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(wake);
    });
  }
}
