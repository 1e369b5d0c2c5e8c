import { pipeline, type Readable, Transform } from 'node:stream';

/**
 * Passes `body` through, and destroys it (and so everything it reads from: a database cursor, a
 * generator) when the reader has taken nothing for `idleMs` while bytes were waiting for it. Only a
 * stalled reader counts: a slow source (the database) is bounded by statement_timeout instead.
 * One timer per download, checking a few times per idle period: a timer per chunk would cost the
 * export of 200,000 rows half a second.
 */
export function endWhenIdle(body: Readable, idleMs: number): Readable {
  let lastMove = Date.now();
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      lastMove = Date.now();
      done(null, chunk);
    },
  });
  const check = setInterval(() => {
    // The buffer is full and nothing has moved: the reader is not reading.
    const waiting = out.readableLength >= out.readableHighWaterMark || out.writableLength > 0;
    if (waiting && Date.now() - lastMove >= idleMs) out.destroy(new Error(`the client took nothing for ${idleMs} ms`));
  }, Math.max(10, Math.floor(idleMs / 4)));
  check.unref();
  const stop = () => clearInterval(check);
  out.once('close', stop);
  return pipeline(body, out, stop);
}
