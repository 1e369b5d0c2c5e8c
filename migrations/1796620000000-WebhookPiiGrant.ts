import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18: a webhook may be granted personal data by an admin (audited); the outbox keeps the
 * unmasked personal fields of a change sealed with the data key (never plain) while a grant exists;
 * an attempt says whether it carried unmasked personal data (its answer excerpt is then not kept).
 */
export class WebhookPiiGrant1796620000000 implements MigrationInterface {
  name = 'WebhookPiiGrant1796620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhooks" ADD "pii" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "webhooks" ADD "pii_granted_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "webhooks" ADD CONSTRAINT "ck_webhooks_pii_granted" CHECK (pii = (pii_granted_at IS NOT NULL))`);
    await q.query(`ALTER TABLE "outbox_events" ADD "pii_enc" text`);
    await q.query(`ALTER TABLE "webhook_attempts" ADD "pii_unmasked" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_attempts" DROP COLUMN "pii_unmasked"`);
    await q.query(`ALTER TABLE "outbox_events" DROP COLUMN "pii_enc"`);
    await q.query(`ALTER TABLE "webhooks" DROP CONSTRAINT "ck_webhooks_pii_granted"`);
    await q.query(`ALTER TABLE "webhooks" DROP COLUMN "pii_granted_at"`);
    await q.query(`ALTER TABLE "webhooks" DROP COLUMN "pii"`);
  }
}
