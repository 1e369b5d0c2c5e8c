import { Init1763805600000 } from './1763805600000-Init';
import { Customers1795343543622 } from './1795343543622-Customers';
import { TagsAndTiers1795344304308 } from './1795344304308-TagsAndTiers';
import { AuditLogForAuditors1795400000000 } from './1795400000000-AuditLogForAuditors';
import { Complaints1795400100000 } from './1795400100000-Complaints';
import { Approvals1795400300000 } from './1795400300000-Approvals';
import { ExportRecipientsAndItems1796159123865 } from './1796159123865-ExportRecipientsAndItems';
import { InteractionVersions1796160174620 } from './1796160174620-InteractionVersions';
import { ComplaintEscalationAndNotice1796160247730 } from './1796160247730-ComplaintEscalationAndNotice';
import { TierPinsAndDormantTier1796300000000 } from './1796300000000-TierPinsAndDormantTier';
import { Industries1796300200000 } from './1796300200000-Industries';
import { LoginAttempts1796400000000 } from './1796400000000-LoginAttempts';
import { PartitionsForTheRuntimeRole1796400200000 } from './1796400200000-PartitionsForTheRuntimeRole';
import { AuditCheckpoints1796400300000 } from './1796400300000-AuditCheckpoints';
import { CustomerSearchGrams1796400571931 } from './1796400571931-CustomerSearchGrams';
import { AuditEntityIndex1796400572847 } from './1796400572847-AuditEntityIndex';
import { RequestsAndIdempotency1796501537215 } from './1796501537215-RequestsAndIdempotency';
import { RequestEscalationAndCommonIssues1796502171054 } from './1796502171054-RequestEscalationAndCommonIssues';
import { WebhooksAndOutbox1796502580212 } from './1796502580212-WebhooksAndOutbox';
import { Supervision1796503000000 } from './1796503000000-Supervision';
import { Opportunities1796516160000 } from './1796516160000-Opportunities';
import { ActivitiesAndAttachments1796516170000 } from './1796516170000-ActivitiesAndAttachments';
import { AuditQueue1796630000000 } from './1796630000000-AuditQueue';
import { ComplaintDepartment1796640000000 } from './1796640000000-ComplaintDepartment';

/** Every migration, in order. `npm run migration:generate` appends new ones here. */
export const MIGRATIONS = [Init1763805600000, Customers1795343543622, TagsAndTiers1795344304308, AuditLogForAuditors1795400000000, Complaints1795400100000, Approvals1795400300000, ExportRecipientsAndItems1796159123865, InteractionVersions1796160174620, ComplaintEscalationAndNotice1796160247730, TierPinsAndDormantTier1796300000000, Industries1796300200000, LoginAttempts1796400000000, PartitionsForTheRuntimeRole1796400200000, AuditCheckpoints1796400300000, CustomerSearchGrams1796400571931, AuditEntityIndex1796400572847, RequestsAndIdempotency1796501537215, RequestEscalationAndCommonIssues1796502171054, WebhooksAndOutbox1796502580212, Supervision1796503000000, Opportunities1796516160000, ActivitiesAndAttachments1796516170000, AuditQueue1796630000000, ComplaintDepartment1796640000000];
