import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AuthUserLookup } from './auth/auth-user-lookup';
import { AccessGuard } from './auth/auth.guard';
import { JwtKeys } from './auth/jwt-keys';
import { PiiCipher } from './crypto/pii-cipher';
import { JwtStrategy } from './auth/jwt.strategy';
import { ProblemFilter } from './errors/problem.filter';
import { Drain } from './http/drain';
import { createValidationPipe } from './http/validation';
import { RequestContext } from './request-context';
import { Cursors } from './pagination';
import { Transactions } from '../database/transactions';
import { JobScheduler } from './jobs/job-scheduler';
import { Metrics } from './metrics/metrics';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.provider';

/** Cross-cutting pieces every module relies on: config, request context, transactions, auth, errors, validation. */
@Global()
@Module({})
export class CommonModule {
  static register(config: AppConfig, keys: JwtKeys, cipher: PiiCipher): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: JwtKeys, useValue: keys },
        { provide: PiiCipher, useValue: cipher },
        RequestContext,
        { provide: Cursors, useFactory: (keys: JwtKeys) => new Cursors(keys.key.export()), inject: [JwtKeys] },
        Transactions,
        JobScheduler,
        Drain,
        Metrics,
        AuthUserLookup,
        JwtStrategy,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [APP_CONFIG, JwtKeys, PiiCipher, Cursors, RequestContext, Transactions, JobScheduler, Drain, Metrics, AuthUserLookup],
    };
  }
}
