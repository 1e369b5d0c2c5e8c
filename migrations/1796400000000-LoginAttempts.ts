import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login throttling becomes a sliding window per username *and* client address, and per address,
 * over login_attempts. The username is kept only as a keyed fingerprint. The old per-username
 * counters are dropped: they let a stranger lock anyone out, and they held typed usernames in clear.
 */
export class LoginAttempts1796400000000 implements MigrationInterface {
  name = 'LoginAttempts1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_throttle`);
    await q.query(
      `CREATE TABLE "login_attempts" ("id" BIGSERIAL NOT NULL, "username_fingerprint" character(64) NOT NULL, "address" character varying(64) NOT NULL,
         "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_login_attempts" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "ix_login_attempts_address" ON "login_attempts" ("address", "attempted_at")`);
    await q.query(`CREATE INDEX "ix_login_attempts_username_address" ON "login_attempts" ("username_fingerprint", "address", "attempted_at")`);
    await q.query(`CREATE INDEX "ix_login_attempts_attempted_at" ON "login_attempts" ("attempted_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "login_attempts"`);
    await q.query(`
      CREATE TABLE login_throttle (
        username varchar(200) NOT NULL,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL,
        locked_until timestamptz,
        CONSTRAINT "PK_login_throttle" PRIMARY KEY (username)
      )`);
  }
}
