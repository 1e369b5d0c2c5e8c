import { Module } from '@nestjs/common';
import { AbandonedUploadsJob } from './abandoned-uploads.job';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentsService } from './attachments.service';
import { UploadSlots } from './upload-slots';

@Module({
  controllers: [AttachmentsController],
  providers: [AttachmentsRepository, AttachmentsService, UploadSlots, AbandonedUploadsJob],
  exports: [AttachmentsService],
})
export class AttachmentsModule {}
