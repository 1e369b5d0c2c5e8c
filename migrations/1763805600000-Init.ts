import { MigrationInterface, QueryRunner } from 'typeorm';

/** Departments, users, login throttling and the append-only, hash-chained audit log. */
export class Init1763805600000 implements MigrationInterface {
  name = 'Init1763805600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE departments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_departments" PRIMARY KEY (id)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_departments_name ON departments (lower(name))`);

    await q.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        username varchar(50) NOT NULL,
        display_name varchar(100) NOT NULL,
        password_hash text NOT NULL,
        role varchar(20) NOT NULL,
        department_id uuid NOT NULL,
        active boolean NOT NULL DEFAULT true,
        deactivated_at timestamptz,
        last_login_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_users" PRIMARY KEY (id),
        CONSTRAINT ck_users_role CHECK (role IN ('admin', 'manager', 'sales', 'service', 'marketing', 'auditor')),
        CONSTRAINT fk_users_department FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_users_username ON users (username)`);
    await q.query(`CREATE INDEX ix_users_department ON users (department_id, username)`);

    await q.query(`
      CREATE TABLE login_throttle (
        username varchar(200) NOT NULL,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL,
        locked_until timestamptz,
        CONSTRAINT "PK_login_throttle" PRIMARY KEY (username)
      )`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_id uuid,
        actor_role varchar(20),
        action varchar(100) NOT NULL,
        entity_type varchar(50) NOT NULL,
        entity_id varchar(100),
        before jsonb,
        after jsonb,
        changed_fields text[] NOT NULL DEFAULT '{}',
        reason text,
        request_id varchar(100),
        ip varchar(64),
        user_agent varchar(300),
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        CONSTRAINT "PK_audit_log" PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX ix_audit_log_entity ON audit_log (entity_type, entity_id, id)`);
    await q.query(`CREATE INDEX ix_audit_log_actor ON audit_log (actor_id, id)`);
    await q.query(`CREATE INDEX ix_audit_log_occurred_at ON audit_log (occurred_at)`);
    await q.query(`CREATE INDEX ix_audit_log_request ON audit_log (request_id)`);
    await q.query(`CREATE INDEX ix_audit_log_action ON audit_log (action text_pattern_ops, id)`);

    await q.query(`
      CREATE TABLE audit_chain_head (
        id smallint NOT NULL,
        last_id bigint NOT NULL,
        last_hash char(64) NOT NULL,
        CONSTRAINT "PK_audit_chain_head" PRIMARY KEY (id)
      )`);
    await q.query(`INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, repeat('0', 64))`);

    // Append-only for every role, the application's own included.
    await q.query(`
      CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_chain_head`);
    await q.query(`DROP TRIGGER audit_log_no_truncate ON audit_log`);
    await q.query(`DROP TRIGGER audit_log_no_update_delete ON audit_log`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_is_append_only()`);
    await q.query(`DROP TABLE login_throttle`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE departments`);
  }
}
