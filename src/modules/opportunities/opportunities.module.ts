import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments';
import { UsersModule } from '../users';
import { OpportunitiesController } from './opportunities.controller';
import { OpportunitiesRepository } from './opportunities.repository';
import { OpportunitiesService } from './opportunities.service';

@Module({
  imports: [UsersModule, AttachmentsModule],
  controllers: [OpportunitiesController],
  providers: [OpportunitiesRepository, OpportunitiesService],
  exports: [OpportunitiesService],
})
export class OpportunitiesModule {}
