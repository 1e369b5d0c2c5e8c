import { Drain } from './drain';

describe('Drain', () => {
  it('is settled at once with nothing in flight', async () => {
    expect(await new Drain().settled(10)).toBe(true);
  });

  it('waits for the last request in flight, and counts each one once', async () => {
    const drain = new Drain();
    const first = drain.enter();
    const second = drain.enter();
    const settled = drain.settled(1000);
    first();
    first();
    expect(drain.requestsInFlight).toBe(1);
    setTimeout(second, 20);
    expect(await settled).toBe(true);
    expect(drain.requestsInFlight).toBe(0);
  });

  it('gives up after the drain time with the request still running', async () => {
    const drain = new Drain();
    drain.begin();
    drain.enter();
    expect(drain.draining).toBe(true);
    expect(await drain.settled(20)).toBe(false);
    expect(drain.requestsInFlight).toBe(1);
  });
});
