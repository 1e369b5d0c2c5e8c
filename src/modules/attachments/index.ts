export { AttachmentsModule } from './attachments.module';
export { AttachmentsService } from './attachments.service';
export type { AttachmentParentAccess } from './attachments.service';
