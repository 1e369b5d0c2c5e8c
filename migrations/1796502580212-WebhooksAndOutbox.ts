import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 18: the outbox written beside the audit log, webhook endpoints, their deliveries and attempts. */
export class WebhooksAndOutbox1796502580212 implements MigrationInterface {
  name = 'WebhooksAndOutbox1796502580212';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "outbox_events" ("id" uuid NOT NULL, "audit_id" bigint NOT NULL, "event" character varying(60) NOT NULL, "entity_type" character varying(60) NOT NULL, "entity_id" character varying(100), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "payload" jsonb NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_outbox_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_outbox_events_undispatched" ON "outbox_events"  ("audit_id") WHERE dispatched_at IS NULL`);
    await q.query(`CREATE TABLE "webhooks" ("id" uuid NOT NULL, "url" character varying(2000) NOT NULL, "events" character varying(60) array NOT NULL, "description" character varying(500), "active" boolean NOT NULL DEFAULT true, "secret_enc" text NOT NULL, "disabled_reason" character varying(500), "disabled_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_webhooks" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL, "webhook_id" uuid NOT NULL, "event_id" uuid NOT NULL, "seq" bigint NOT NULL, "entity_key" character varying(170) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "leased_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_webhook_deliveries_event" UNIQUE ("webhook_id", "event_id"), CONSTRAINT "ck_webhook_deliveries_status" CHECK (status IN ('pending', 'delivered', 'failed')), CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_webhook_deliveries_list" ON "webhook_deliveries"  ("webhook_id", "seq") `);
    await q.query(`CREATE INDEX "ix_webhook_deliveries_event" ON "webhook_deliveries"  ("event_id") `);
    await q.query(`CREATE INDEX "ix_webhook_deliveries_order" ON "webhook_deliveries"  ("webhook_id", "entity_key", "seq") WHERE status = 'pending'`);
    await q.query(`CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries"  ("next_attempt_at") WHERE status = 'pending'`);
    await q.query(`CREATE TABLE "webhook_attempts" ("id" BIGSERIAL NOT NULL, "delivery_id" uuid NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "status_code" smallint, "duration_ms" integer NOT NULL, "error" character varying(500), "response_excerpt" character varying(500), CONSTRAINT "PK_webhook_attempts" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_webhook_attempts_delivery" ON "webhook_attempts"  ("delivery_id", "id") `);
    await q.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_event" FOREIGN KEY ("event_id") REFERENCES "outbox_events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "webhook_attempts" ADD CONSTRAINT "fk_webhook_attempts_delivery" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_attempts" DROP CONSTRAINT "fk_webhook_attempts_delivery"`);
    await q.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_event"`);
    await q.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_webhook"`);
    await q.query(`DROP INDEX "public"."ix_webhook_attempts_delivery"`);
    await q.query(`DROP TABLE "webhook_attempts"`);
    await q.query(`DROP INDEX "public"."ix_webhook_deliveries_due"`);
    await q.query(`DROP INDEX "public"."ix_webhook_deliveries_order"`);
    await q.query(`DROP INDEX "public"."ix_webhook_deliveries_event"`);
    await q.query(`DROP INDEX "public"."ix_webhook_deliveries_list"`);
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhooks"`);
    await q.query(`DROP INDEX "public"."ix_outbox_events_undispatched"`);
    await q.query(`DROP TABLE "outbox_events"`);
  }
}
