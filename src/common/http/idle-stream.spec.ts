import { PassThrough, Readable, Writable } from 'node:stream';
import { endWhenIdle } from './idle-stream';

const endless = () => {
  let destroyed = false;
  const source = new Readable({
    read() {
      this.push(Buffer.alloc(4096, 120));
    },
  });
  source.once('close', () => (destroyed = true));
  return { source, destroyed: () => destroyed };
};

describe('endWhenIdle', () => {
  it('destroys the source when the reader stops taking bytes for the idle time', async () => {
    const { source, destroyed } = endless();
    const body = endWhenIdle(source, 100);
    // A reader that takes one chunk and then never asks for more.
    body.pipe(new Writable({ highWaterMark: 1, write: () => undefined }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(destroyed()).toBe(true);
    expect(body.destroyed).toBe(true);
  });

  it('leaves a reader that keeps reading alone, however slow the source', async () => {
    const source = new PassThrough();
    const body = endWhenIdle(source, 100);
    const received: Buffer[] = [];
    body.on('data', (chunk: Buffer) => received.push(chunk));
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      source.write(Buffer.from(`chunk ${i}\n`));
    }
    source.end();
    await new Promise((resolve) => body.once('end', resolve));
    expect(Buffer.concat(received).toString()).toBe('chunk 0\nchunk 1\nchunk 2\n');
  });
});
