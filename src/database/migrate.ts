import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { grantRuntimePrivileges, inspectRuntimeRole, type Sql } from './database-roles';
import { dataSourceOptions, migrateUnderLock } from './data-source';

const sqlOf =
  (db: DataSource | EntityManager): Sql =>
  (text, params) =>
    db.query(text, params);

export async function currentUser(db: DataSource | EntityManager): Promise<string> {
  const [row]: { user: string }[] = await db.query('SELECT current_user AS "user"');
  return row.user;
}

export interface MigrationOutcome {
  ownerRole: string;
  /** False when the runtime login is the owner (one URL for both): nothing was granted. */
  separateRoles: boolean;
}

/**
 * Connects as the owner login, runs the pending migrations and gives the runtime login exactly
 * its privileges (src/database/database-roles.ts), then `afterMigrations`, all under the start-up
 * lock so that instances starting together do it once. Refuses a runtime login that owns objects:
 * the owner could neither migrate nor restrict them (the fix: REASSIGN OWNED, as a superuser).
 */
export async function migrateAndGrant(
  ownerUrl: string,
  runtimeRole: string,
  afterMigrations: () => Promise<void> = async () => {},
  logger: Pick<Logger, 'warn'> = new Logger('Database'),
): Promise<MigrationOutcome> {
  const owner = new DataSource(dataSourceOptions(ownerUrl, 2));
  await owner.initialize();
  try {
    const ownerRole = await currentUser(owner);
    const separateRoles = ownerRole !== runtimeRole;
    if (!separateRoles) {
      logger.warn(
        `The service runs as "${runtimeRole}", the login that owns the schema: its credentials can alter or drop any table, ` +
          `the audit log included. Set MIGRATION_DATABASE_URL to an owner login and give DATABASE_URL a login of its own.`,
      );
    } else {
      const report = await inspectRuntimeRole(sqlOf(owner), runtimeRole, ownerRole);
      if (report.owned.length > 0) {
        throw new Error(
          `The runtime login "${runtimeRole}" (DATABASE_URL) owns ${report.owned.length} object(s) (${report.owned.slice(0, 5).join(', ')}…), ` +
            `so it could alter or drop them. As a superuser run: REASSIGN OWNED BY "${runtimeRole}" TO "${ownerRole}"; then start again.`,
        );
      }
      if (report.superuser || report.actsAsOwner) {
        logger.warn(
          `The runtime login "${runtimeRole}" (DATABASE_URL) is ${report.superuser ? 'a superuser' : `a member of the owner login "${ownerRole}"`}: ` +
            `it has more rights than the service needs. Make it a plain login.`,
        );
      }
    }
    await migrateUnderLock(owner, async () => {
      if (separateRoles) await owner.transaction((manager) => grantRuntimePrivileges(sqlOf(manager), runtimeRole));
      await afterMigrations();
    });
    return { ownerRole, separateRoles };
  } finally {
    await owner.destroy().catch(() => undefined);
  }
}
