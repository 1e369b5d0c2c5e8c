import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { LoggerModule } from 'nestjs-pino';
import { JwtKeys } from './common/auth/jwt-keys';
import { CommonModule } from './common/common.module';
import { clientAddress, RequestWithId } from './common/http/request-id';
import { RequestContextStore } from './common/request-context';
import { AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source';
import { AuditModule } from './modules/audit';
import { AuthModule } from './modules/auth/auth.module';
import { DepartmentsModule } from './modules/departments';
import { HealthModule } from './modules/health/health.module';
import { UsersModule } from './modules/users';

export interface Runtime {
  config: AppConfig;
  databaseUrl: string;
  jwtSecret: string;
  /** Build the module graph without connecting (to write the OpenAPI file). */
  offline?: boolean;
}

@Module({})
export class AppModule {
  static register(runtime: Runtime): DynamicModule {
    const { config } = runtime;
    const keys = new JwtKeys(runtime.jwtSecret, config.jwt.issuer, config.jwt.audience, config.jwt.expiresInSeconds);
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req) => (req as RequestWithId).requestId ?? 'unknown',
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.body.password'],
            customSuccessMessage: (req, res, ms) => `${req.method} ${req.url} ${res.statusCode} ${Math.round(ms)}ms`,
          },
        }),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(runtime.databaseUrl, config.dbPoolSize),
          manualInitialization: runtime.offline ?? false,
        }),
        ClsModule.forRoot({
          global: true,
          middleware: {
            mount: true,
            setup: (cls, req: RequestWithId) => {
              const store = cls as unknown as { set<K extends keyof RequestContextStore>(k: K, v: RequestContextStore[K]): void };
              store.set('requestId', req.requestId);
              store.set('ip', clientAddress(req, config.trustProxy));
              const agent = req.headers['user-agent'];
              store.set('userAgent', typeof agent === 'string' ? agent : undefined);
            },
          },
          plugins: [
            new ClsPluginTransactional({
              imports: [TypeOrmModule],
              adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
            }),
          ],
        }),
        PassportModule,
        JwtModule.register({
          global: true,
          secretOrKeyProvider: () => keys.key,
          signOptions: { algorithm: 'HS256', issuer: keys.issuer, audience: keys.audience, expiresIn: keys.expiresInSeconds },
          verifyOptions: { algorithms: ['HS256'], issuer: keys.issuer, audience: keys.audience },
        }),
        CommonModule.register(config, keys),
        AuditModule,
        DepartmentsModule,
        UsersModule,
        AuthModule,
        HealthModule,
      ],
    };
  }
}
