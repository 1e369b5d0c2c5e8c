import { DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtKeys } from './common/auth/jwt-keys';
import { PiiCipher } from './common/crypto/pii-cipher';
import { SigningKey } from './common/crypto/signing-key';
import { CommonModule } from './common/common.module';
import { AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source';
import { AuditModule } from './modules/audit';
import { AuthModule } from './modules/auth/auth.module';
import { DepartmentsModule } from './modules/departments';
import { HealthModule } from './modules/health/health.module';
import { UsersModule } from './modules/users';
import { AccessModule } from './modules/access';
import { CustomersModule } from './modules/customers';
import { InteractionsModule } from './modules/interactions/interactions.module';
import { TagsModule } from './modules/tags/tags.module';
import { CalendarModule } from './modules/calendar';
import { ApprovalsModule } from './modules/approvals';
import { TransfersModule } from './modules/transfers/transfers.module';
import { ExportsModule } from './modules/exports/exports.module';
import { ComplaintsModule } from './modules/complaints/complaints.module';
import { TiersModule } from './modules/tiers/tiers.module';
import { IndustriesModule } from './modules/industries';
import { IdempotencyModule } from './modules/idempotency';
import { DataQualityModule } from './modules/data-quality';
import { KpisModule } from './modules/kpis/kpis.module';
import { ReviewsModule } from './modules/reviews/reviews.module';
import { RequestsModule } from './modules/requests/requests.module';
import { OpportunitiesModule } from './modules/opportunities';
import { ActivitiesModule } from './modules/activities';
import { WebhooksModule } from './modules/webhooks';

export interface Runtime {
  config: AppConfig;
  databaseUrl: string;
  jwtSecret: string;
  /** 64 hex characters: the key of personal data at rest. */
  dataKey: string;
  /** The data key being rotated away from, while `npm run rotate-data-key` runs. */
  dataKeyPrevious?: string;
  /** Ed25519 PKCS#8 private key (PEM or base64 DER) that signs audit checkpoints. */
  auditSigningKey: string;
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
        TypeOrmModule.forRoot({
          ...dataSourceOptions(runtime.databaseUrl, config.dbPoolSize, config.db),
          manualInitialization: runtime.offline ?? false,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        PassportModule,
        JwtModule.register({
          global: true,
          secretOrKeyProvider: () => keys.key,
          signOptions: { algorithm: 'HS256', issuer: keys.issuer, audience: keys.audience, expiresIn: keys.expiresInSeconds },
          verifyOptions: { algorithms: ['HS256'], issuer: keys.issuer, audience: keys.audience },
        }),
        CommonModule.register(config, keys, new PiiCipher(runtime.dataKey, runtime.dataKeyPrevious ?? config.dataKeyPrevious)),
        AuditModule.register(SigningKey.parse(runtime.auditSigningKey)),
        DepartmentsModule,
        UsersModule,
        AuthModule,
        AccessModule,
        IndustriesModule,
        CustomersModule,
        InteractionsModule,
        TiersModule,
        TagsModule,
        CalendarModule,
        ComplaintsModule,
        IdempotencyModule,
        RequestsModule,
        OpportunitiesModule,
        ActivitiesModule,
        WebhooksModule,
        ApprovalsModule,
        TransfersModule,
        ExportsModule,
        DataQualityModule,
        KpisModule,
        ReviewsModule,
        HealthModule,
      ],
    };
  }
}
