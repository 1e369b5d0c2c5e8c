import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';
import { currentRequestId } from '../request-context';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's own lines (start-up, route mapping, services' `new Logger(...)`) written by Fastify's
 * pino logger, so that every line of the service is one JSON shape: pino's level, time, msg, plus
 * Nest's context and, inside a request, its reqId (the name Fastify's request lines use).
 * Nest calls log/warn/debug/verbose with (message, ...params, context) and error with
 * (message, stack?, context?).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = level === 'error' || level === 'fatal' ? rest.find((p): p is string => typeof p === 'string' && p.includes('\n    at ')) : undefined;
    const reqId = currentRequestId();
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (reqId !== undefined) fields.reqId = reqId;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'string') {
      this.pino[level]({ ...fields, ...(stack ? { err: { stack } } : {}) }, message);
    } else {
      this.pino[level]({ ...fields, ...(stack ? { err: { stack } } : {}), data: message });
    }
  }
}
