import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments';
import { UsersModule } from '../users';
import { ActivitiesController } from './activities.controller';
import { ActivitiesRepository } from './activities.repository';
import { ActivitiesService } from './activities.service';

@Module({
  imports: [UsersModule, AttachmentsModule],
  controllers: [ActivitiesController],
  providers: [ActivitiesRepository, ActivitiesService],
})
export class ActivitiesModule {}
