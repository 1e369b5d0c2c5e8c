import { jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { Poller } from './poller';

const logger = () => ({ error: jest.fn() }) as unknown as Logger & { error: jest.Mock };

describe('Poller', () => {
  it('runs one pass at a time: a call during a pass gets that pass', async () => {
    let release!: (n: number) => void;
    let passes = 0;
    const poller = new Poller(logger(), 'work', () => {
      passes += 1;
      return new Promise<number>((resolve) => (release = resolve));
    });
    const first = poller.run();
    const second = poller.run();
    release(3);
    expect(await Promise.all([first, second])).toEqual([3, 3]);
    expect(passes).toBe(1);
    const third = poller.run();
    release(1);
    expect(await third).toBe(1);
    expect(passes).toBe(2);
  });

  it('logs a failed pass, counts it 0, and runs again next time', async () => {
    const log = logger();
    let fail = true;
    const poller = new Poller(log, 'chaining', () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(2)));
    expect(await poller.run()).toBe(0);
    expect(log.error).toHaveBeenCalledWith('chaining failed: down');
    fail = false;
    expect(await poller.run()).toBe(2);
  });

  it('stop waits for the pass under way', async () => {
    let release!: (n: number) => void;
    const poller = new Poller(logger(), 'work', () => new Promise<number>((resolve) => (release = resolve)));
    poller.start(60_000);
    const running = poller.run();
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release(0);
    await Promise.all([running, stopping]);
    expect(stopped).toBe(true);
  });
});
