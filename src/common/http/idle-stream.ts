import { pipeline, type Readable, Transform } from 'node:stream';

/**
 * Passes `body` through, and destroys it (and so everything it reads from: a database cursor, a
 * generator) when the reader has taken nothing for `idleMs` while bytes were waiting for it. Only a
 * stalled reader counts: a slow source (the database) is bounded by statement_timeout instead.
 */
export function endWhenIdle(body: Readable, idleMs: number): Readable {
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      stop();
      this.push(chunk);
      // The buffer is full: the reader is behind. If it takes nothing more in time, end the download.
      if (this.readableLength >= this.readableHighWaterMark) {
        timer = setTimeout(() => out.destroy(new Error(`the client took nothing for ${idleMs} ms`)), idleMs);
      }
      done();
    },
  });
  out.once('close', stop);
  return pipeline(body, out, stop);
}
