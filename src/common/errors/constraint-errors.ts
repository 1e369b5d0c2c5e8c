import { DomainError } from './domain-error';
import { ERROR_CATALOG, ErrorCode } from './error-codes';

/**
 * The database backs every uniqueness, reference and value rule; this is the one place its
 * violations become domain errors, by constraint name. Services check first and answer more
 * precisely; what reaches this table is a race the check could not see (two requests at once)
 * or a rule only the database holds. test/constraint-mapping.e2e-spec.ts lists every constraint
 * and unique index of the migrated schema and fails naming any that is missing here.
 */
export interface ConstraintProblem {
  code: ErrorCode;
  status: number;
  /** The request field the violation is about, when there is one. */
  field?: string;
  message: string;
}

export interface ConstraintMapping extends ConstraintProblem {
  /**
   * Foreign keys only: the answer when the violation is the other way round, a referenced row
   * being deleted while something still points at it ("is still referenced"). Default 409 IN_USE.
   */
  whenReferenced?: ConstraintProblem;
}

function rule(code: ErrorCode, message: string, field?: string, whenReferenced?: ConstraintProblem): ConstraintMapping {
  return { code, status: ERROR_CATALOG[code].status, message, ...(field ? { field } : {}), ...(whenReferenced ? { whenReferenced } : {}) };
}

/** A concurrent write got there first (the row exists already). */
const raced = (message: string, field?: string) => rule('CONFLICT', message, field);
/** A value outside what the column allows: the validator should have caught it first. */
const invalidValue = (field: string) => rule('UNPROCESSABLE', `${field} has a value that is not allowed`, field);
/** A reference to a row that does not exist (or was removed meanwhile). */
const missing = (field: string, what: string, whenReferenced?: ConstraintProblem) =>
  rule('REFERENCE_NOT_FOUND', `${field} does not name an existing ${what}`, field, whenReferenced);

export const CONSTRAINT_ERRORS: Readonly<Record<string, ConstraintMapping>> = {
  // unique indexes
  uq_users_username: rule('USERNAME_TAKEN', 'username is already taken', 'username'),
  uq_departments_name: rule('DEPARTMENT_NAME_TAKEN', 'name is already used by another department', 'name'),
  uq_tiers_code: rule('CONFLICT', 'code is already used by another tier', 'code'),
  uq_tiers_rank: rule('CONFLICT', 'rank is already used by another tier', 'rank'),
  uq_tag_groups_name: rule('TAG_NAME_TAKEN', 'name is already used by another group', 'name'),
  uq_tags_name: rule('TAG_NAME_TAKEN', 'name is already used in this group', 'name'),
  uq_industries_name: rule('CONFLICT', 'name is already used by another industry', 'name'),
  uq_customers_name_normalized: rule('CUSTOMER_DUPLICATE', 'a customer with this name exists', 'name'),
  uq_customers_credit_code: rule('CUSTOMER_DUPLICATE', 'a customer with this credit code exists', 'creditCode'),
  uq_contacts_mobile: rule('CUSTOMER_DUPLICATE', 'an active contact with this mobile exists', 'mobile'),
  uq_contacts_email: rule('CUSTOMER_DUPLICATE', 'an active contact with this e-mail exists', 'email'),
  uq_contacts_primary: raced('the customer got another primary contact meanwhile; reload and retry', 'isPrimary'),
  uq_transfer_items_pending: rule('REQUEST_PENDING', 'a pending transfer already names this customer', 'customerIds'),
  uq_approval_steps_order: raced('the approval changed meanwhile; retry'),
  uq_requests_complaint: rule('REQUEST_ALREADY_ESCALATED', 'the request was escalated into a complaint meanwhile'),
  uq_complaints_request: rule('REQUEST_ALREADY_ESCALATED', 'the request was escalated into a complaint meanwhile'),

  // primary keys: generated ids never collide; natural keys do when two requests create the same one
  PK_users: raced('the user exists'),
  PK_departments: raced('the department exists'),
  PK_audit_log: raced('a concurrent audit write got in the way; retry'),
  PK_audit_chain_head: raced('a concurrent audit write got in the way; retry'),
  PK_tag_catalog_version: raced('a concurrent tag change got in the way; retry'),
  PK_audit_entity_index: raced('a concurrent audit write got in the way; retry'),
  PK_customer_quality: raced('the data-quality result was written meanwhile; retry'),
  PK_data_quality_watermarks: raced('the data-quality job ran meanwhile; retry'),
  PK_quality_summary: raced('the data-quality job ran meanwhile; retry'),
  PK_quality_rule_summary: raced('the data-quality job ran meanwhile; retry'),
  PK_review_rounds: raced('the review round exists'),
  PK_review_tasks: raced('the customer is already in this review round'),
  PK_review_schedules: raced('the department got a review schedule meanwhile; retry', 'departmentId'),
  PK_industries_code: rule('CONFLICT', 'code is already used by another industry', 'code'),
  PK_login_attempts: raced('a concurrent login attempt got in the way; retry'),
  PK_audit_checkpoints_last_id: raced('the chain head was signed meanwhile; read the checkpoints'),
  PK_31089858f2c75f4648107ae5280: raced('the approval step exists'), // approval_steps
  PK_690417aaefa84d18b1a59e2a499: raced('the approval exists'), // approvals
  PK_8b478c54fa0517b1bdc755d0c5d: raced('the calendar day was set meanwhile; retry', 'day'), // calendar_days
  PK_c313a46cc4ca1f3f0cdb3dfdfe0: raced('the escalation list changed meanwhile; retry', 'userIds'), // complaint_escalation_contacts
  PK_e9979b3ca11620b323d58446a38: raced('the complaint event exists'), // complaint_events
  PK_3feb94332380cf163289f633b8c: raced('the policy changed meanwhile; retry', 'severity'), // complaint_sla_policy
  PK_4b7566a2a489c2cc7c12ed076ad: raced('the complaint exists'), // complaints
  PK_b99cd40cfd66a99f1571f4f72e6: raced('the contact exists'), // contacts
  PK_85290eafc88e36d12376400333f: raced('the consent record exists'), // customer_consents
  PK_001706abc168c7f5553638aadf5: raced('the customer got this tag meanwhile', 'tagIds'), // customer_tags
  PK_bd812cb04bc888104e7747c0cc2: raced('the tier change exists'), // customer_tier_changes
  PK_133ec679a801fab5e070f73d3ea: raced('the customer exists'), // customers
  PK_788f6bb99101793e2203a7cb4b3: raced('the deletion record exists'), // deletion_records
  PK_2a50ca1c1606355414ac7e36d04: raced('the export already lists this customer'), // export_items
  PK_bcf8528d214cbfc68c01f337511: raced('the export exists'), // exports
  PK_4d682ec886ed7587d070e9991e3: raced('the interaction was corrected meanwhile; reload and retry', 'version'), // interaction_versions
  PK_911b7416a6671b4148b18c18ecb: raced('the interaction exists'), // interactions
  PK_5c795bbd339d082a44c10f1bb4c: raced('the job exists'), // scheduled_jobs
  PK_62441bec32630ced9e4cccae336: raced('the migration ran meanwhile'), // schema_migrations
  PK_380edeb740a90629e7134709393: raced('the tag group exists'), // tag_groups
  PK_e7dc17249a1148a1970748eda99: raced('the tag exists'), // tags
  PK_908405492b9b2c2ae1cea1e1cc0: raced('the tier exists'), // tiers
  PK_4433917cb695c803ecc38de802f: raced('the transfer already names this customer', 'customerIds'), // transfer_items
  PK_f712e908b465e0085b4408cabc3: raced('the transfer exists'), // transfers
  PK_requests: raced('the request exists'),
  PK_opportunity_stages: raced('the stage exists'),
  PK_opportunities: raced('the opportunity exists'),
  PK_opportunity_stage_changes: raced('the stage change exists'),
  PK_activities: raced('the activity exists'),
  PK_activity_customers: raced('the customer is linked to the activity already', 'customerIds'),
  PK_attachments: raced('the attachment exists'),
  PK_attachment_chunks: raced('that chunk of the attachment is stored already'),
  PK_request_events: raced('the request event exists'),
  PK_request_dispatch_rules: raced('the dispatch rules changed meanwhile; retry', 'rules'),
  PK_outbox_events: raced('the event exists'),
  PK_audit_queue: raced('the queued audit record exists'),
  PK_kpi_daily: raced('the KPI rollup row was written meanwhile; retry'),
  PK_customer_holders: raced('the ownership history was written meanwhile; retry'),
  PK_webhooks: raced('the webhook exists'),
  PK_webhook_deliveries: raced('the delivery exists'),
  PK_webhook_attempts: raced('the attempt exists'),
  uq_webhook_deliveries_event: raced('the event is already queued for this webhook'),
  PK_idempotency_keys: rule('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is being processed; retry shortly', 'Idempotency-Key'),

  // foreign keys
  fk_users_department: rule('DEPARTMENT_NOT_FOUND', 'departmentId does not name an existing department', 'departmentId'),
  fk_approval_steps_approval: missing('approvalId', 'approval'),
  fk_approvals_requester: missing('requesterId', 'user'),
  fk_complaint_escalation_contacts_user: missing('userIds', 'user'),
  fk_complaint_events_complaint: missing('complaintId', 'complaint'),
  fk_complaints_assignee: missing('assigneeId', 'user'),
  fk_complaints_customer: missing('customerId', 'customer'),
  // Set by a trigger from the complaint's customer, whose own department reference is checked first.
  fk_complaints_department: missing('customerId', 'customer', rule('IN_USE', 'complaints belong to the department')),
  fk_complaints_escalated_to: missing('escalatedToId', 'user'),
  fk_contacts_customer: missing('customerId', 'customer'),
  fk_customer_consents_customer: missing('customerId', 'customer'),
  fk_customer_tags_customer: missing('customerId', 'customer'),
  fk_customer_tags_tag: missing('tagIds', 'tag', rule('IN_USE', 'customers were tagged with it meanwhile; retry')),
  fk_customer_tier_changes_customer: missing('customerId', 'customer'),
  fk_customer_tier_changes_from: missing('tierId', 'tier'),
  fk_customer_tier_changes_to: missing('tierId', 'tier'),
  fk_customers_department: missing('departmentId', 'department'),
  fk_customers_owner: rule('OWNER_INVALID', 'ownerId does not name an existing user', 'ownerId'),
  fk_customers_tier: missing('tierId', 'tier'),
  fk_export_items_customer: missing('customerIds', 'customer'),
  fk_export_items_export: missing('exportId', 'export'),
  fk_interaction_versions_corrected_by: missing('correctedBy', 'user'),
  fk_interaction_versions_interaction: missing('interactionId', 'interaction'),
  fk_interactions_author: missing('authorId', 'user'),
  fk_interactions_contact: missing('contactId', 'contact'),
  fk_interactions_corrected_by: missing('correctedBy', 'user'),
  fk_interactions_customer: missing('customerId', 'customer'),
  fk_tags_group: missing('groupId', 'tag group', rule('TAG_GROUP_NOT_EMPTY', 'a tag was added to the group meanwhile')),
  fk_tags_owner: missing('ownerId', 'user'),
  fk_transfer_items_customer: missing('customerIds', 'customer'),
  fk_transfer_items_transfer: missing('transferId', 'transfer'),
  fk_transfers_approval: missing('approvalId', 'approval'),
  fk_customer_quality_customer: missing('customerId', 'customer'),
  fk_review_rounds_department: missing('departmentId', 'department', rule('IN_USE', 'review rounds were held for the department')),
  fk_review_rounds_tier: missing('tierId', 'tier', rule('IN_USE', 'review rounds name the tier')),
  fk_review_rounds_tag: missing('tagId', 'tag', rule('IN_USE', 'review rounds name the tag')),
  fk_review_rounds_created_by: missing('createdBy', 'user'),
  fk_review_tasks_round: missing('roundId', 'review round'),
  fk_review_tasks_customer: missing('customerId', 'customer'),
  fk_review_tasks_owner: missing('ownerId', 'user'),
  fk_review_schedules_department: missing('departmentId', 'department', rule('IN_USE', 'the department has a review schedule')),
  fk_requests_customer: missing('customerId', 'customer'),
  fk_opportunities_customer: missing('customerId', 'customer'),
  fk_activities_owner: missing('ownerId', 'user'),
  fk_activities_department: missing('departmentId', 'department', rule('IN_USE', 'activities belong to the department')),
  fk_activities_created_by: missing('createdBy', 'user'),
  fk_activity_customers_activity: missing('activityId', 'activity'),
  fk_activity_customers_customer: missing('customerIds', 'customer'),
  fk_attachments_uploaded_by: missing('uploadedBy', 'user'),
  fk_attachments_deleted_by: missing('deletedBy', 'user'),
  fk_attachment_chunks_attachment: missing('attachmentId', 'attachment'),
  fk_opportunities_owner: missing('ownerId', 'user'),
  fk_opportunities_department: missing('departmentId', 'department', rule('IN_USE', 'opportunities belong to the department')),
  fk_opportunities_stage: missing('stage', 'stage', rule('IN_USE', 'opportunities are in a stage that was left out; move them first', 'stages')),
  fk_opportunities_created_by: missing('createdBy', 'user'),
  fk_opportunity_stage_changes_opportunity: missing('opportunityId', 'opportunity'),
  fk_opportunity_stage_changes_changed_by: missing('changedBy', 'user'),
  fk_requests_contact: missing('contactId', 'contact'),
  fk_requests_assignee: missing('assigneeId', 'user'),
  fk_requests_department: missing('departmentId', 'department', rule('IN_USE', 'requests are queued for the department')),
  fk_request_events_request: missing('requestId', 'request'),
  fk_request_dispatch_rules_department: missing('departmentId', 'department', rule('IN_USE', 'a request dispatch rule names the department')),
  fk_requests_complaint: missing('complaintId', 'complaint', rule('IN_USE', 'a request was escalated into the complaint')),
  fk_complaints_request: missing('requestId', 'request', rule('IN_USE', 'a complaint was escalated from the request')),
  fk_idempotency_keys_caller: missing('callerId', 'user'),
  fk_webhook_deliveries_webhook: missing('webhookId', 'webhook'),
  fk_webhook_deliveries_event: missing('eventId', 'event'),
  fk_webhook_attempts_delivery: missing('deliveryId', 'delivery'),

  // checks: the DTOs validate the same values first
  ck_approval_steps_kind: invalidValue('deciderKind'),
  ck_approval_steps_status: invalidValue('status'),
  ck_approvals_status: invalidValue('status'),
  ck_calendar_days_kind: invalidValue('kind'),
  ck_complaint_sla_policy_severity: invalidValue('severity'),
  ck_complaints_category: invalidValue('category'),
  ck_complaints_mood: invalidValue('customerMood'),
  ck_complaints_satisfaction: invalidValue('satisfaction'),
  ck_complaints_severity: invalidValue('severity'),
  ck_complaints_status: invalidValue('status'),
  ck_contacts_status: invalidValue('status'),
  ck_customer_consents_status: invalidValue('status'),
  ck_customers_consent: invalidValue('marketingConsent'),
  ck_customers_importance: invalidValue('importance'),
  ck_customers_kind: invalidValue('kind'),
  ck_customers_potential_score: invalidValue('potentialScore'),
  ck_customers_source: invalidValue('source'),
  ck_customers_stage: invalidValue('stage'),
  ck_customers_status: invalidValue('status'),
  ck_exports_status: invalidValue('status'),
  ck_interactions_channel: invalidValue('channel'),
  ck_interactions_corrected: raced('the interaction was corrected meanwhile; reload and retry', 'version'),
  ck_transfer_items_outcome: invalidValue('outcome'),
  ck_transfers_kind: invalidValue('kind'),
  ck_transfers_status: invalidValue('status'),
  ck_users_role: invalidValue('role'),
  ck_review_rounds_scope: rule('UNPROCESSABLE', 'scope tier needs tierId, scope tag needs tagId, and neither goes with another scope', 'scope'),
  ck_review_schedules_cadence: invalidValue('cadence'),
  ck_review_schedules_due_days: invalidValue('dueDays'),
  ck_requests_kind: invalidValue('kind'),
  ck_opportunity_stages_outcome: invalidValue('outcome'),
  ck_activities_kind: invalidValue('kind'),
  ck_activities_period: rule('UNPROCESSABLE', 'endsAt must not be before startsAt', 'endsAt'),
  ck_activities_evaluation: invalidValue('evaluation'),
  ck_activities_outcome: rule('UNPROCESSABLE', 'an outcome has both happenedAt and evaluation', 'evaluation'),
  ck_attachments_parent_type: invalidValue('parentType'),
  ck_attachments_stored: rule('UNPROCESSABLE', 'a stored attachment has its SHA-256', 'file'),
  ck_opportunity_stages_probability: invalidValue('defaultProbability'),
  ck_opportunities_probability: invalidValue('probability'),
  ck_opportunities_amount: invalidValue('amount'),
  ck_webhook_deliveries_status: invalidValue('status'),
  ck_webhooks_pii_granted: rule('UNPROCESSABLE', 'a webhook granted personal data has the time of its grant', 'pii'),
  ck_requests_status: invalidValue('status'),
  ck_requests_channel: invalidValue('channel'),
  ck_requests_satisfaction: invalidValue('satisfaction'),
  ck_requests_dispatch: rule('UNPROCESSABLE', 'a request goes to a person or to a department queue, not both', 'assigneeId'),
  ck_request_dispatch_rules_kind: invalidValue('kind'),
  ck_requests_topic: rule('UNPROCESSABLE', 'a request reported upward needs a topic, and only it has one', 'topic'),
  ck_complaints_topic: rule('UNPROCESSABLE', 'a complaint reported upward needs a topic, and only it has one', 'topic'),
  ck_request_dispatch_rules_target: rule('UNPROCESSABLE', 'a department target needs a departmentId, and only it', 'departmentId'),
};

/** What PostgreSQL reports with a violation (node-postgres' DatabaseError). */
interface PgError {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
}

/** unique, foreign key, RESTRICT (a referenced row deleted), check, exclusion, not null. */
const INTEGRITY_CODES = new Set(['23505', '23503', '23001', '23514', '23P01', '23502']);

function pgError(error: unknown): PgError | undefined {
  const driverError = (error as { driverError?: PgError } | null)?.driverError ?? (error as PgError | null);
  return driverError && typeof driverError === 'object' && typeof driverError.code === 'string' ? driverError : undefined;
}

/**
 * A partition's inherited constraint carries its own name (`audit_log_2027_01_pkey`): look it
 * up by its parent's.
 */
export function constraintMapping(constraint: string | undefined): ConstraintMapping | undefined {
  if (constraint === undefined) return undefined;
  if (Object.hasOwn(CONSTRAINT_ERRORS, constraint)) return CONSTRAINT_ERRORS[constraint];
  if (/^audit_log_[a-z0-9_]+_pkey$/.test(constraint)) return CONSTRAINT_ERRORS.PK_audit_log;
  return undefined;
}

/** The constraint a unique violation hit, for services that answer it with more than a fixed error. */
export function uniqueViolation(error: unknown): string | undefined {
  const driverError = pgError(error);
  return driverError?.code === '23505' ? driverError.constraint : undefined;
}

/** The answer to an integrity violation, or undefined when `error` is not one. */
export function constraintProblem(error: unknown): ConstraintProblem | undefined {
  const driverError = pgError(error);
  if (!driverError || !INTEGRITY_CODES.has(driverError.code!)) return undefined;
  if (driverError.code === '23502') {
    // NOT NULL: a required value the validator let through empty.
    const field = driverError.column ?? 'body';
    return { code: 'UNPROCESSABLE', status: ERROR_CATALOG.UNPROCESSABLE.status, field, message: `${field} is required` };
  }
  const mapped = constraintMapping(driverError.constraint);
  if (driverError.code === '23001' || (driverError.code === '23503' && /is still referenced/.test(driverError.detail ?? ''))) {
    return mapped?.whenReferenced ?? { code: 'IN_USE', status: ERROR_CATALOG.IN_USE.status, message: 'the record is still referenced by other records' };
  }
  if (mapped) return { code: mapped.code, status: mapped.status, message: mapped.message, ...(mapped.field ? { field: mapped.field } : {}) };
  // Not in the table (a constraint added without a mapping; the coverage test names it): still never a 500.
  const fallback: ErrorCode = driverError.code === '23503' ? 'REFERENCE_NOT_FOUND' : driverError.code === '23514' ? 'UNPROCESSABLE' : 'CONFLICT';
  return { code: fallback, status: ERROR_CATALOG[fallback].status, message: ERROR_CATALOG[fallback].title };
}

export function domainErrorFromDatabase(error: unknown): DomainError | undefined {
  const problem = constraintProblem(error);
  if (problem) {
    return new DomainError(problem.code, problem.message, problem.field ? { errors: [{ field: problem.field, message: problem.message }] } : {});
  }
  const code = pgError(error)?.code;
  if (code === '40001' || code === '40P01') {
    return new DomainError('CONFLICT', 'A concurrent change got in the way; retry the request');
  }
  return undefined;
}
