import { Module } from '@nestjs/common';
import { CustomerTagsService } from './customer-tags.service';
import { TagsController } from './tags.controller';
import { TagsRepository } from './tags.repository';
import { TagsService } from './tags.service';

@Module({
  controllers: [TagsController],
  providers: [TagsRepository, TagsService, CustomerTagsService],
})
export class TagsModule {}
