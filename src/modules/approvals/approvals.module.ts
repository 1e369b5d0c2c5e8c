import { Global, Module } from '@nestjs/common';
import { UsersModule } from '../users';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalsService } from './approvals.service';

/** The approval engine; feature modules register their handlers with ApprovalsService at start-up. */
@Global()
@Module({
  imports: [UsersModule],
  controllers: [ApprovalsController],
  providers: [ApprovalsRepository, ApprovalsService],
  exports: [ApprovalsService],
})
export class ApprovalsModule {}
