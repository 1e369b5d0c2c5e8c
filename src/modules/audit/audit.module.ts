import { AuditQueueFlusher } from './audit-queue.flusher';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { SigningKey } from '../../common/crypto/signing-key';
import { AuditCheckpointsJob } from './audit-checkpoints.job';
import { AuditCheckpointsRepository } from './audit-checkpoints.repository';
import { AuditCheckpointsService } from './audit-checkpoints.service';
import { AuditLogService } from './audit-log.service';
import { AuditPartitionsJob } from './audit-partitions.job';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { LongReadSlots } from './long-read-slots';

@Global()
@Module({})
export class AuditModule {
  /** signingKey: the Ed25519 key of the checkpoints, from outside the database (environment or data directory). */
  static register(signingKey: SigningKey): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditController],
      providers: [
        { provide: SigningKey, useValue: signingKey },
        AuditRepository,
        AuditService,
        AuditQueueFlusher,
        AuditLogService,
        LongReadSlots,
        AuditPartitionsJob,
        AuditCheckpointsRepository,
        AuditCheckpointsService,
        AuditCheckpointsJob,
      ],
      exports: [AuditService, AuditQueueFlusher, LongReadSlots],
    };
  }
}
