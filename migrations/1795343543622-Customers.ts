import { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers, contacts (personal data encrypted), consents, interactions, and the scheduled-job ledger. */
export class Customers1795343543622 implements MigrationInterface {
  name = 'Customers1795343543622';

  async up(q: QueryRunner): Promise<void> {
    await q.query("CREATE TABLE \"scheduled_jobs\" (\"name\" character varying(100) NOT NULL, \"last_started_at\" TIMESTAMP WITH TIME ZONE, \"last_finished_at\" TIMESTAMP WITH TIME ZONE, \"last_result\" jsonb, CONSTRAINT \"PK_5c795bbd339d082a44c10f1bb4c\" PRIMARY KEY (\"name\"))");
    await q.query("CREATE TABLE \"customers\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"name\" character varying(200) NOT NULL, \"name_normalized\" character varying(200) NOT NULL, \"short_name\" character varying(100), \"kind\" character varying(20) NOT NULL DEFAULT 'organization', \"industry\" character varying(100), \"scale\" character varying(50), \"source\" character varying(20) NOT NULL DEFAULT 'other', \"stage\" character varying(20) NOT NULL DEFAULT 'potential', \"importance\" smallint NOT NULL DEFAULT '3', \"needs\" jsonb NOT NULL DEFAULT '{}', \"notes\" text, \"credit_code\" character varying(18), \"owner_id\" uuid NOT NULL, \"department_id\" uuid NOT NULL, \"status\" character varying(20) NOT NULL DEFAULT 'active', \"archived_at\" TIMESTAMP WITH TIME ZONE, \"reactivated_at\" TIMESTAMP WITH TIME ZONE, \"last_interaction_at\" TIMESTAMP WITH TIME ZONE, \"next_follow_up_at\" TIMESTAMP WITH TIME ZONE, \"marketing_consent\" character varying(20) NOT NULL DEFAULT 'unknown', \"created_by\" uuid NOT NULL, \"version\" integer NOT NULL DEFAULT '1', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"ck_customers_importance\" CHECK (importance BETWEEN 1 AND 5), CONSTRAINT \"ck_customers_consent\" CHECK (marketing_consent IN ('unknown', 'granted', 'withdrawn')), CONSTRAINT \"ck_customers_status\" CHECK (status IN ('active', 'dormant', 'archived')), CONSTRAINT \"ck_customers_stage\" CHECK (stage IN ('potential', 'prospect', 'customer', 'strategic')), CONSTRAINT \"ck_customers_source\" CHECK (source IN ('exhibition', 'cold_visit', 'referral', 'inbound', 'website', 'wecom', 'other')), CONSTRAINT \"ck_customers_kind\" CHECK (kind IN ('organization', 'individual')), CONSTRAINT \"PK_133ec679a801fab5e070f73d3ea\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"ix_customers_status_updated\" ON \"customers\"  (\"status\", \"updated_at\", \"id\") ");
    await q.query("CREATE INDEX \"ix_customers_status_created\" ON \"customers\"  (\"status\", \"created_at\", \"id\") ");
    await q.query("CREATE INDEX \"ix_customers_status_name\" ON \"customers\"  (\"status\", \"name\", \"id\") ");
    await q.query("CREATE INDEX \"ix_customers_department_updated\" ON \"customers\"  (\"department_id\", \"status\", \"updated_at\", \"id\") ");
    await q.query("CREATE INDEX \"ix_customers_department_name\" ON \"customers\"  (\"department_id\", \"status\", \"name\", \"id\") ");
    await q.query("CREATE INDEX \"ix_customers_owner\" ON \"customers\"  (\"owner_id\", \"status\", \"name\", \"id\") ");
    await q.query("CREATE UNIQUE INDEX \"uq_customers_credit_code\" ON \"customers\"  (\"credit_code\") WHERE credit_code IS NOT NULL");
    await q.query("CREATE UNIQUE INDEX \"uq_customers_name_normalized\" ON \"customers\"  (\"name_normalized\") ");
    await q.query("CREATE TABLE \"customer_consents\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"customer_id\" uuid NOT NULL, \"status\" character varying(20) NOT NULL, \"channel\" character varying(30) NOT NULL, \"evidence\" text NOT NULL, \"recorded_by\" uuid NOT NULL, \"recorded_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"ck_customer_consents_status\" CHECK (status IN ('granted', 'withdrawn')), CONSTRAINT \"PK_85290eafc88e36d12376400333f\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"ix_customer_consents_customer\" ON \"customer_consents\"  (\"customer_id\", \"recorded_at\") ");
    await q.query("CREATE TABLE \"contacts\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"customer_id\" uuid NOT NULL, \"name\" character varying(100) NOT NULL, \"position\" character varying(100), \"mobile_enc\" text, \"mobile_hash\" bytea, \"email_enc\" text, \"email_hash\" bytea, \"wechat_enc\" text, \"wechat_hash\" bytea, \"is_primary\" boolean NOT NULL DEFAULT false, \"status\" character varying(10) NOT NULL DEFAULT 'active', \"left_at\" TIMESTAMP WITH TIME ZONE, \"version\" integer NOT NULL DEFAULT '1', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"ck_contacts_status\" CHECK (status IN ('active', 'left')), CONSTRAINT \"PK_b99cd40cfd66a99f1571f4f72e6\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"ix_contacts_wechat\" ON \"contacts\"  (\"wechat_hash\") WHERE wechat_hash IS NOT NULL");
    await q.query("CREATE UNIQUE INDEX \"uq_contacts_email\" ON \"contacts\"  (\"email_hash\") WHERE email_hash IS NOT NULL AND status = 'active'");
    await q.query("CREATE UNIQUE INDEX \"uq_contacts_mobile\" ON \"contacts\"  (\"mobile_hash\") WHERE mobile_hash IS NOT NULL AND status = 'active'");
    await q.query("CREATE UNIQUE INDEX \"uq_contacts_primary\" ON \"contacts\"  (\"customer_id\") WHERE is_primary");
    await q.query("CREATE INDEX \"ix_contacts_customer\" ON \"contacts\"  (\"customer_id\", \"is_primary\") ");
    await q.query("CREATE TABLE \"interactions\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"customer_id\" uuid NOT NULL, \"author_id\" uuid NOT NULL, \"occurred_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"channel\" character varying(20) NOT NULL, \"contact_id\" uuid, \"summary\" text NOT NULL, \"feedback\" text, \"agreements\" text, \"next_action\" text, \"next_action_due_at\" TIMESTAMP WITH TIME ZONE, \"version\" integer NOT NULL DEFAULT '1', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"ck_interactions_channel\" CHECK (channel IN ('phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online')), CONSTRAINT \"PK_911b7416a6671b4148b18c18ecb\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"ix_interactions_author\" ON \"interactions\"  (\"author_id\", \"occurred_at\", \"id\") ");
    await q.query("CREATE INDEX \"ix_interactions_occurred\" ON \"interactions\"  (\"occurred_at\", \"id\") ");
    await q.query("CREATE INDEX \"ix_interactions_customer\" ON \"interactions\"  (\"customer_id\", \"occurred_at\", \"id\") ");
    await q.query("ALTER TABLE \"customers\" ADD CONSTRAINT \"fk_customers_owner\" FOREIGN KEY (\"owner_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"customers\" ADD CONSTRAINT \"fk_customers_department\" FOREIGN KEY (\"department_id\") REFERENCES \"departments\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"customer_consents\" ADD CONSTRAINT \"fk_customer_consents_customer\" FOREIGN KEY (\"customer_id\") REFERENCES \"customers\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"contacts\" ADD CONSTRAINT \"fk_contacts_customer\" FOREIGN KEY (\"customer_id\") REFERENCES \"customers\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"interactions\" ADD CONSTRAINT \"fk_interactions_customer\" FOREIGN KEY (\"customer_id\") REFERENCES \"customers\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"interactions\" ADD CONSTRAINT \"fk_interactions_author\" FOREIGN KEY (\"author_id\") REFERENCES \"users\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"interactions\" ADD CONSTRAINT \"fk_interactions_contact\" FOREIGN KEY (\"contact_id\") REFERENCES \"contacts\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    // Indexes TypeORM cannot express (declared with synchronize: false on the entity).
    // Fuzzy name search (q=): trigram GIN indexes serve both similarity (%) and ILIKE '%...%'.
    await q.query(`CREATE INDEX ix_customers_name_trgm ON customers USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX ix_customers_short_name_trgm ON customers USING gin (short_name gin_trgm_ops)`);
    // Sorting by last interaction: never-contacted customers sort first, as -infinity.
    await q.query(`CREATE INDEX ix_customers_status_last_interaction ON customers (status, (coalesce(last_interaction_at, '-infinity'::timestamptz)), id)`);
    // The daily dormancy sweep reads only active customers, by the time of their last sign of life.
    await q.query(`CREATE INDEX ix_customers_dormancy ON customers ((greatest(coalesce(last_interaction_at, created_at), coalesce(reactivated_at, created_at)))) WHERE status = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_customers_dormancy`);
    await q.query(`DROP INDEX ix_customers_status_last_interaction`);
    await q.query(`DROP INDEX ix_customers_short_name_trgm`);
    await q.query(`DROP INDEX ix_customers_name_trgm`);
    await q.query("ALTER TABLE \"interactions\" DROP CONSTRAINT \"fk_interactions_contact\"");
    await q.query("ALTER TABLE \"interactions\" DROP CONSTRAINT \"fk_interactions_author\"");
    await q.query("ALTER TABLE \"interactions\" DROP CONSTRAINT \"fk_interactions_customer\"");
    await q.query("ALTER TABLE \"contacts\" DROP CONSTRAINT \"fk_contacts_customer\"");
    await q.query("ALTER TABLE \"customer_consents\" DROP CONSTRAINT \"fk_customer_consents_customer\"");
    await q.query("ALTER TABLE \"customers\" DROP CONSTRAINT \"fk_customers_department\"");
    await q.query("ALTER TABLE \"customers\" DROP CONSTRAINT \"fk_customers_owner\"");
    await q.query("DROP INDEX \"public\".\"ix_interactions_customer\"");
    await q.query("DROP INDEX \"public\".\"ix_interactions_occurred\"");
    await q.query("DROP INDEX \"public\".\"ix_interactions_author\"");
    await q.query("DROP TABLE \"interactions\"");
    await q.query("DROP INDEX \"public\".\"ix_contacts_customer\"");
    await q.query("DROP INDEX \"public\".\"uq_contacts_primary\"");
    await q.query("DROP INDEX \"public\".\"uq_contacts_mobile\"");
    await q.query("DROP INDEX \"public\".\"uq_contacts_email\"");
    await q.query("DROP INDEX \"public\".\"ix_contacts_wechat\"");
    await q.query("DROP TABLE \"contacts\"");
    await q.query("DROP INDEX \"public\".\"ix_customer_consents_customer\"");
    await q.query("DROP TABLE \"customer_consents\"");
    await q.query("DROP INDEX \"public\".\"uq_customers_name_normalized\"");
    await q.query("DROP INDEX \"public\".\"uq_customers_credit_code\"");
    await q.query("DROP INDEX \"public\".\"ix_customers_owner\"");
    await q.query("DROP INDEX \"public\".\"ix_customers_department_name\"");
    await q.query("DROP INDEX \"public\".\"ix_customers_department_updated\"");
    await q.query("DROP INDEX \"public\".\"ix_customers_status_name\"");
    await q.query("DROP INDEX \"public\".\"ix_customers_status_created\"");
    await q.query("DROP INDEX \"public\".\"ix_customers_status_updated\"");
    await q.query("DROP TABLE \"customers\"");
    await q.query("DROP TABLE \"scheduled_jobs\"");
  }
}
