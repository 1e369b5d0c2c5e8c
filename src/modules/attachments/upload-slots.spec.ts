import { DomainError } from '../../common/errors/domain-error';
import { UploadSlots } from './upload-slots';

const slots = (maxConcurrent: number, queueLength: number, queueWaitMs = 60_000) => new UploadSlots({ attachmentUploads: { maxConcurrent, queueLength, queueWaitMs } });
const settled = (p: Promise<unknown>) => Promise.race([p.then(() => 'granted', (e: DomainError) => e.code), new Promise((done) => setImmediate(() => done('waiting')))]);

describe('UploadSlots', () => {
  it('grants up to the capacity at once, queues the next ones in order and refuses past the queue with BUSY and Retry-After', async () => {
    const s = slots(2, 1);
    const a = await s.take();
    await s.take();
    const queued = s.take();
    expect(await settled(queued)).toBe('waiting');
    const refused = await s.take().catch((e: DomainError) => e);
    expect(refused).toMatchObject({ code: 'BUSY', extras: { headers: { 'retry-after': '2' } } });
    expect(s.usage).toEqual({ running: 2, waiting: 1 });
    a();
    a(); // a second call gives nothing back twice
    expect(await settled(queued)).toBe('granted');
    expect(s.usage).toEqual({ running: 2, waiting: 0 });
  });

  it('refuses a queued upload whose turn does not come within the wait, and forgets it', async () => {
    const s = slots(1, 5, 20);
    const first = await s.take();
    await expect(s.take()).rejects.toMatchObject({ code: 'BUSY' });
    expect(s.usage).toEqual({ running: 1, waiting: 0 });
    first();
    expect(s.usage).toEqual({ running: 0, waiting: 0 });
  });

  it('with no queue, refuses the (capacity + 1)th at once', async () => {
    const s = slots(1, 0);
    await s.take();
    expect(await settled(s.take())).toBe('BUSY');
  });
});
