import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer requests with response clocks (issue 15), and idempotency keys for creating POSTs.
 * Tier response targets take the handbooks' defaults (DOMAIN "Tiers and cadence"): strategic and
 * core 30 working minutes, ordinary and dormant one working day (540 minutes = 09:00–18:00, counted
 * as one working day by the request clocks); a target an admin already changed is left alone.
 */
export class RequestsAndIdempotency1796501537215 implements MigrationInterface {
  name = 'RequestsAndIdempotency1796501537215';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "contact_id" uuid, "kind" character varying(12) NOT NULL, "channel" character varying(20) NOT NULL, "subject" character varying(200) NOT NULL, "content" text NOT NULL, "complex" boolean NOT NULL DEFAULT false, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(15) NOT NULL DEFAULT 'new', "assignee_id" uuid, "department_id" uuid, "first_response_due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "first_response_breached" boolean NOT NULL DEFAULT false, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "first_response_channel" character varying(20), "first_response_text" text, "first_response_working_minutes" integer, "expected_answer_at" TIMESTAMP WITH TIME ZONE, "expected_answer_breached" boolean NOT NULL DEFAULT false, "progress_due_at" TIMESTAMP WITH TIME ZONE, "progress_breached" boolean NOT NULL DEFAULT false, "progress_breaches" integer NOT NULL DEFAULT '0', "last_progress_at" TIMESTAMP WITH TIME ZONE, "answered_at" TIMESTAMP WITH TIME ZONE, "answer" text, "satisfaction_due_at" TIMESTAMP WITH TIME ZONE, "satisfaction_breached" boolean NOT NULL DEFAULT false, "satisfaction" smallint, "satisfaction_comment" text, "closed_at" TIMESTAMP WITH TIME ZONE, "urgent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "escalated_to_ids" uuid array NOT NULL DEFAULT '{}', "created_by" uuid NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_requests_dispatch" CHECK (assignee_id IS NULL OR department_id IS NULL), CONSTRAINT "ck_requests_satisfaction" CHECK (satisfaction BETWEEN 1 AND 5), CONSTRAINT "ck_requests_channel" CHECK (channel IN ('phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online', 'web_chat', 'call_center', 'letter', 'other')), CONSTRAINT "ck_requests_status" CHECK (status IN ('new', 'acknowledged', 'in_progress', 'answered', 'closed')), CONSTRAINT "ck_requests_kind" CHECK (kind IN ('enquiry', 'need', 'suggestion', 'problem')), CONSTRAINT "PK_requests" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_requests_department" ON "requests"  ("department_id", "status") `);
    await q.query(`CREATE INDEX "ix_requests_assignee" ON "requests"  ("assignee_id", "status") `);
    await q.query(`CREATE INDEX "ix_requests_urgency" ON "requests"  ("urgent_at", "id") `);
    await q.query(`CREATE INDEX "ix_requests_customer" ON "requests"  ("customer_id", "received_at", "id") `);
    await q.query(`CREATE TABLE "request_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "actor_id" uuid, "event" character varying(30) NOT NULL, "from_status" character varying(15), "to_status" character varying(15), "detail" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_request_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_request_events_request" ON "request_events"  ("request_id", "occurred_at") `);
    await q.query(`CREATE TABLE "request_dispatch_rules" ("kind" character varying(12) NOT NULL, "target" character varying(15) NOT NULL, "department_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_request_dispatch_rules_target" CHECK (target IN ('owner', 'department', 'service_queue') AND ((target = 'department') = (department_id IS NOT NULL))), CONSTRAINT "ck_request_dispatch_rules_kind" CHECK (kind IN ('enquiry', 'need', 'suggestion', 'problem')), CONSTRAINT "PK_request_dispatch_rules" PRIMARY KEY ("kind"))`);
    await q.query(`CREATE TABLE "idempotency_keys" ("caller_id" uuid NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "response_status" smallint NOT NULL, "response_body" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("caller_id", "key"))`);
    await q.query(`CREATE INDEX "ix_idempotency_keys_expires" ON "idempotency_keys"  ("expires_at") `);
    await q.query(`ALTER TABLE "requests" ADD CONSTRAINT "fk_requests_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "requests" ADD CONSTRAINT "fk_requests_contact" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "requests" ADD CONSTRAINT "fk_requests_assignee" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "requests" ADD CONSTRAINT "fk_requests_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "request_events" ADD CONSTRAINT "fk_request_events_request" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "request_dispatch_rules" ADD CONSTRAINT "fk_request_dispatch_rules_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "idempotency_keys" ADD CONSTRAINT "fk_idempotency_keys_caller" FOREIGN KEY ("caller_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Needs and enquiries (and suggestions) go to the customer's owner, problems to the service queue (seed 004 §3.2).
    await q.query(`INSERT INTO request_dispatch_rules (kind, target) VALUES ('enquiry', 'owner'), ('need', 'owner'), ('suggestion', 'owner'), ('problem', 'service_queue')`);
    await q.query(`UPDATE tiers SET response_target_minutes = 30 WHERE code = 'core' AND response_target_minutes = 120`);
    await q.query(`UPDATE tiers SET response_target_minutes = 540 WHERE code IN ('ordinary', 'dormant') AND response_target_minutes = 480`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE tiers SET response_target_minutes = 120 WHERE code = 'core' AND response_target_minutes = 30`);
    await q.query(`UPDATE tiers SET response_target_minutes = 480 WHERE code IN ('ordinary', 'dormant') AND response_target_minutes = 540`);
    await q.query(`ALTER TABLE "idempotency_keys" DROP CONSTRAINT "fk_idempotency_keys_caller"`);
    await q.query(`ALTER TABLE "request_dispatch_rules" DROP CONSTRAINT "fk_request_dispatch_rules_department"`);
    await q.query(`ALTER TABLE "request_events" DROP CONSTRAINT "fk_request_events_request"`);
    await q.query(`ALTER TABLE "requests" DROP CONSTRAINT "fk_requests_department"`);
    await q.query(`ALTER TABLE "requests" DROP CONSTRAINT "fk_requests_assignee"`);
    await q.query(`ALTER TABLE "requests" DROP CONSTRAINT "fk_requests_contact"`);
    await q.query(`ALTER TABLE "requests" DROP CONSTRAINT "fk_requests_customer"`);
    await q.query(`DROP INDEX "public"."ix_idempotency_keys_expires"`);
    await q.query(`DROP TABLE "idempotency_keys"`);
    await q.query(`DROP TABLE "request_dispatch_rules"`);
    await q.query(`DROP INDEX "public"."ix_request_events_request"`);
    await q.query(`DROP TABLE "request_events"`);
    await q.query(`DROP INDEX "public"."ix_requests_customer"`);
    await q.query(`DROP INDEX "public"."ix_requests_urgency"`);
    await q.query(`DROP INDEX "public"."ix_requests_assignee"`);
    await q.query(`DROP INDEX "public"."ix_requests_department"`);
    await q.query(`DROP TABLE "requests"`);
  }
}
