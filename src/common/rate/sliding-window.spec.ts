import { SlidingWindow } from './sliding-window';

describe('SlidingWindow', () => {
  it('allows `limit` events per window and key, then says when the next one fits', () => {
    let now = 0;
    const window = new SlidingWindow(3, 60_000, () => now);
    expect([window.take('a'), window.take('a')].every((r) => r.allowed)).toBe(true);
    now = 20_000;
    expect(window.take('a').allowed).toBe(true);
    now = 30_000;
    expect(window.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(window.take('b').allowed).toBe(true); // another key has its own window
    now = 60_001; // the first two events left the window
    expect(window.take('a').allowed).toBe(true);
    expect(window.take('a').allowed).toBe(true);
    expect(window.take('a')).toEqual({ allowed: false, retryAfterSeconds: 20 });
  });

  it('refused attempts do not count, so a client that waits as told gets through', () => {
    let now = 0;
    const window = new SlidingWindow(1, 1000, () => now);
    window.take('a');
    for (let i = 0; i < 5; i++) expect(window.take('a').allowed).toBe(false);
    now = 1000;
    expect(window.take('a').allowed).toBe(true);
  });

  it('forgets idle keys', () => {
    let now = 0;
    const window = new SlidingWindow(5, 1000, () => now);
    for (let i = 0; i < 100; i++) window.take(`user-${i}`);
    now = 5000;
    window.take('late');
    expect(window.size).toBe(1);
  });
});
