import { CustomerQualityEntity, DataQualityWatermarkEntity } from '../modules/data-quality/customer-quality.entity';
import { QualityRuleSummaryEntity, QualitySummaryEntity } from '../modules/data-quality/quality-summary.entity';
import { ReviewRoundEntity, ReviewScheduleEntity, ReviewTaskEntity } from '../modules/reviews/review.entity';
import { ScheduledJobEntity } from '../common/jobs/scheduled-job.entity';
import { AuditChainHeadEntity, AuditEntityIndexEntity, AuditLogEntity } from '../modules/audit/audit-log.entity';
import { AuditCheckpointEntity } from '../modules/audit/audit-checkpoint.entity';
import { LoginAttemptEntity } from '../modules/auth/login-attempt.entity';
import { CustomerConsentEntity } from '../modules/customers/consent.entity';
import { ContactEntity } from '../modules/customers/contact.entity';
import { CustomerEntity } from '../modules/customers/customer.entity';
import { DepartmentEntity } from '../modules/departments/department.entity';
import { InteractionEntity, InteractionVersionEntity } from '../modules/interactions/interaction.entity';
import { CustomerTagEntity, TagCatalogVersionEntity, TagEntity, TagGroupEntity } from '../modules/tags/tag.entity';
import { CustomerTierChangeEntity } from '../modules/tiers/tier-change.entity';
import { CalendarDayEntity } from '../modules/calendar/calendar-day.entity';
import { ApprovalEntity, ApprovalStepEntity } from '../modules/approvals/approval.entity';
import { TransferEntity, TransferItemEntity } from '../modules/transfers/transfer.entity';
import { DeletionRecordEntity } from '../modules/customers/deletion-record.entity';
import { ExportEntity, ExportItemEntity } from '../modules/exports/export.entity';
import { ComplaintEntity, ComplaintEscalationContactEntity, ComplaintEventEntity, ComplaintSlaPolicyEntity } from '../modules/complaints/complaint.entity';
import { RequestDispatchRuleEntity, RequestEntity, RequestEventEntity } from '../modules/requests/request.entity';
import { IdempotencyKeyEntity } from '../modules/idempotency/idempotency-key.entity';
import { OutboxEventEntity } from '../modules/audit/outbox-event.entity';
import { AuditQueueEntity } from '../modules/audit/audit-queue.entity';
import { WebhookAttemptEntity, WebhookDeliveryEntity, WebhookEntity } from '../modules/webhooks/webhook.entity';
import { IndustryEntity } from '../modules/industries/industry.entity';
import { TierEntity } from '../modules/tiers/tier.entity';
import { UserEntity } from '../modules/users/user.entity';
import { ActivityCustomerEntity, ActivityEntity } from '../modules/activities/activity.entity';
import { AttachmentChunkEntity, AttachmentEntity } from '../modules/attachments/attachment.entity';
import { CustomerHolderEntity, KpiDailyEntity } from '../modules/kpis/kpi-daily.entity';
import { OpportunityEntity, OpportunityStageChangeEntity, OpportunityStageEntity } from '../modules/opportunities/opportunity.entity';

/** Every entity, listed once for the data source, the migration tooling and the tests. */
export const ENTITIES = [
  KpiDailyEntity,
  CustomerHolderEntity,
  AuditLogEntity,
  AuditChainHeadEntity,
  AuditEntityIndexEntity,
  AuditCheckpointEntity,
  DepartmentEntity,
  UserEntity,
  LoginAttemptEntity,
  ScheduledJobEntity,
  CustomerEntity,
  ContactEntity,
  CustomerConsentEntity,
  InteractionEntity,
  InteractionVersionEntity,
  TierEntity,
  TagGroupEntity,
  TagEntity,
  CustomerTagEntity,
  TagCatalogVersionEntity,
  CustomerTierChangeEntity,
  CalendarDayEntity,
  ComplaintEntity,
  ComplaintEventEntity,
  ComplaintSlaPolicyEntity,
  ComplaintEscalationContactEntity,
  ApprovalEntity,
  ApprovalStepEntity,
  TransferEntity,
  TransferItemEntity,
  DeletionRecordEntity,
  ExportEntity,
  ExportItemEntity,
  IndustryEntity,
  RequestEntity,
  RequestEventEntity,
  RequestDispatchRuleEntity,
  IdempotencyKeyEntity,
  CustomerQualityEntity,
  DataQualityWatermarkEntity,
  QualitySummaryEntity,
  QualityRuleSummaryEntity,
  ReviewRoundEntity,
  ReviewTaskEntity,
  ReviewScheduleEntity,
  OpportunityStageEntity,
  OpportunityEntity,
  OpportunityStageChangeEntity,
  AttachmentEntity,
  AttachmentChunkEntity,
  ActivityEntity,
  ActivityCustomerEntity,
  OutboxEventEntity,
  AuditQueueEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  WebhookAttemptEntity,
];
