/**
 * A sliding-window counter per key (at most `limit` events in any `windowMs`), held in this
 * process: with several instances behind a load balancer a key can get up to `limit` per
 * instance. Memory is bounded by the keys active within one window.
 */
export class SlidingWindow {
  private readonly events = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one event for `key` when the window has room; otherwise says how long until it has. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    this.sweep(now);
    const since = now - this.windowMs;
    const recent = (this.events.get(key) ?? []).filter((at) => at > since);
    if (recent.length >= this.limit) {
      this.events.set(key, recent);
      // The oldest event in the window leaves it at oldest + windowMs.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0] + this.windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.events.set(key, recent);
    return { allowed: true };
  }

  /** Forgets keys with nothing left in the window, at most once a window. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, times] of this.events) {
      if (times.length === 0 || times[times.length - 1] <= now - this.windowMs) this.events.delete(key);
    }
  }

  /** Keys held (for tests of the memory bound). */
  get size(): number {
    return this.events.size;
  }
}
