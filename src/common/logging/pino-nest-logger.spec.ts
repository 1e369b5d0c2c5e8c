import { Writable } from 'node:stream';
import pino from 'pino';
import { runInRequestContext } from '../request-context';
import { PinoNestLogger } from './pino-nest-logger';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(pino({ level }, sink) as never) };
}

describe('PinoNestLogger', () => {
  it('writes Nest lines as pino JSON with their context', () => {
    const { lines, logger } = capture();
    logger.log('Nest application successfully started', 'NestApplication');
    logger.warn('careful', 'AuditLog');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'Nest application successfully started', context: 'NestApplication', time: expect.any(Number) }),
      expect.objectContaining({ level: 40, msg: 'careful', context: 'AuditLog' }),
    ]);
  });

  it('carries the request id inside a request, and an error’s stack', () => {
    const { lines, logger } = capture();
    runInRequestContext({ requestId: 'req-42' }, () => logger.error('failed', 'Error: failed\n    at here (file.js:1:1)', 'Jobs'));
    expect(lines[0]).toMatchObject({ level: 50, msg: 'failed', context: 'Jobs', reqId: 'req-42', err: { stack: expect.stringContaining('at here') } });
  });

  it('leaves out what the level does not enable', () => {
    const { lines, logger } = capture('warn');
    logger.log('started', 'NestApplication');
    logger.debug('details', 'X');
    expect(lines).toEqual([]);
  });
});
